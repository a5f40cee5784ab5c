;; policylint with eglot (Emacs 28 with the eglot package, or Emacs 29+ where it is built in), in init.el.
(require 'eglot)
;; Emacs 28 opens .json files in js-mode: in JavaScript buffers the server starts but reports nothing.
(dolist (mode '(js-mode js-json-mode json-mode json-ts-mode yaml-mode yaml-ts-mode terraform-mode hcl-mode))
  (add-to-list 'eglot-server-programs `(,mode . ("policylint" "lsp"))))
(dolist (hook '(js-mode-hook js-json-mode-hook json-mode-hook json-ts-mode-hook
                yaml-mode-hook yaml-ts-mode-hook terraform-mode-hook hcl-mode-hook))
  (add-hook hook #'eglot-ensure))
