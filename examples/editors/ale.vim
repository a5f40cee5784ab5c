" policylint as an ALE language server linter (ALE 3+, Vim 8.2+ or Neovim); put it after ALE is loaded.
function! PolicylintRoot(buffer) abort
  for l:marker in ['.policylint.yaml', 'pyproject.toml', '.git']
    let l:found = ale#path#FindNearestFile(a:buffer, l:marker)
    if empty(l:found)
      let l:found = ale#path#FindNearestDirectory(a:buffer, l:marker)
    endif
    if !empty(l:found)
      return fnamemodify(l:found, ':h')
    endif
  endfor
  return fnamemodify(bufname(a:buffer), ':p:h')
endfunction

for s:filetype in ['terraform', 'json', 'yaml']
  call ale#linter#Define(s:filetype, {
  \   'name': 'policylint',
  \   'lsp': 'stdio',
  \   'executable': 'policylint',
  \   'command': '%e lsp',
  \   'project_root': function('PolicylintRoot'),
  \})
endfor
" ALE runs only a default set for some filetypes (JSON): run every available one there, policylint included.
" If you set g:ale_linters for these filetypes yourself, add 'policylint' to your lists instead.
let g:ale_linters = extend({'terraform': 'all', 'json': 'all', 'yaml': 'all'}, get(g:, 'ale_linters', {}))
