-- Test driver: wait for the buffer's diagnostics (30 s at most), write them as JSON, quit.
local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local found = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(found, {
    line = d.lnum, col = d.col, end_line = d.end_lnum, end_col = d.end_col,
    code = d.code or lsp.code, source = d.source, severity = d.severity, message = d.message,
  })
end
local file = io.open(os.getenv('POLICYLINT_TEST_OUT'), 'w')
file:write(vim.fn.json_encode({ waited = ok, version = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor), diagnostics = found }))
file:close()
vim.cmd('qall!')
