;; Test driver: open the file, wait for flymake's diagnostics (30 s at most), write them as JSON, quit.
(let ((deadline (+ (float-time) 30)) found)
  (find-file (car command-line-args-left))
  (setq command-line-args-left nil)
  (run-hooks 'post-command-hook) ; batch Emacs has no command loop, which is what eglot-ensure waits for
  (while (and (not (setq found (flymake-diagnostics))) (< (float-time) deadline))
    (accept-process-output nil 0.05))
  (let ((json (json-encode
               (mapcar (lambda (d)
                         (let ((beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
                           `((line . ,(line-number-at-pos beg))
                             (col . ,(save-excursion (goto-char beg) (current-column)))
                             (end_line . ,(line-number-at-pos end))
                             (end_col . ,(save-excursion (goto-char end) (current-column)))
                             (type . ,(symbol-name (flymake-diagnostic-type d)))
                             (text . ,(flymake-diagnostic-text d)))))
                       found))))
    (with-temp-file (getenv "POLICYLINT_TEST_OUT") (insert json)))
  (kill-emacs 0))
