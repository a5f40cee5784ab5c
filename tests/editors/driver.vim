" Test driver: poll ALE's list for the buffer (30 s at most), write it as JSON, quit.
let s:deadline = reltimefloat(reltime()) + 30
function! s:Poll(timer) abort
  let l:found = ale#engine#GetLoclist(bufnr(''))
  if empty(l:found) && reltimefloat(reltime()) < s:deadline
    return
  endif
  call writefile([json_encode(l:found)], $POLICYLINT_TEST_OUT)
  qall!
endfunction
call timer_start(50, function('s:Poll'), {'repeat': -1})
