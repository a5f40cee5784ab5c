-- policylint in Neovim 0.11 or newer (init.lua).
vim.lsp.config('policylint', {
  cmd = { 'policylint', 'lsp' },
  filetypes = { 'terraform', 'json', 'yaml' },
  root_markers = { '.policylint.yaml', 'pyproject.toml', '.git' },
})
vim.lsp.enable('policylint')
