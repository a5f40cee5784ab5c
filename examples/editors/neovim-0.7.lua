-- policylint in Neovim 0.7 to 0.10 (init.lua): 0.8 and later have vim.lsp.start, 0.7 starts and attaches.
local function policylint_root(buf)
  if vim.fs then -- Neovim 0.8+
    local dir = vim.fs.dirname(vim.api.nvim_buf_get_name(buf))
    local marker = vim.fs.find({ '.policylint.yaml', 'pyproject.toml', '.git' }, { upward = true, path = dir })[1]
    if marker then
      return vim.fs.dirname(marker)
    end
  end
  return vim.fn.getcwd()
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = { 'terraform', 'json', 'yaml' },
  callback = function(args)
    local config = { name = 'policylint', cmd = { 'policylint', 'lsp' }, root_dir = policylint_root(args.buf) }
    if vim.lsp.start then
      vim.lsp.start(config) -- reuses the running server for the same root
    else
      local client = vim.lsp.start_client(config)
      if client then
        vim.lsp.buf_attach_client(args.buf, client)
      end
    end
  end,
})
