-- Drives `miglint server` from Neovim's built-in LSP client (headless):
-- opens the migration MIGLINT_FILE, waits for the diagnostics, applies the
-- preferred quick fix through a code action, writes the buffer, and waits
-- for the diagnostics to clear. Writes a transcript to MIGLINT_TRANSCRIPT.
-- Works with Neovim 0.7 (Debian bookworm: start_client + buf_attach_client)
-- and newer.

local bin = assert(os.getenv('MIGLINT_BIN'))
local file = assert(os.getenv('MIGLINT_FILE'))
local root = assert(os.getenv('MIGLINT_ROOT'))
local out = assert(io.open(assert(os.getenv('MIGLINT_TRANSCRIPT')), 'w'))

local function log(fmt, ...)
  out:write(string.format(fmt, ...) .. '\n')
  out:flush()
end

local function fail(msg)
  log('FAIL: %s', msg)
  out:close()
  vim.cmd('cquit 1')
end

local ok, err = pcall(function()
  local v = vim.version()
  log('neovim %d.%d.%d', v.major, v.minor, v.patch)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'miglint',
    cmd = { bin, 'server' },
    root_dir = root,
  })
  if not client_id then
    return fail('the server did not start')
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  log('started %s server, attached to %s', bin, vim.fn.fnamemodify(file, ':t'))

  if not vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20) then
    return fail('no diagnostics within 30 s')
  end
  local diags = vim.diagnostic.get(bufnr)
  for _, d in ipairs(diags) do
    local lsp = (d.user_data or {}).lsp or {}
    log('diagnostic %s line %d col %d: %s', tostring(d.code or lsp.code), d.lnum + 1, d.col,
      (d.message:gsub('\n.*', '')))
  end
  local d = diags[1]
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, d.lnum) }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000)
  local chosen
  for _, res in pairs(responses or {}) do
    for _, action in ipairs(res.result or {}) do
      log('code action: %s%s', action.title, action.isPreferred and ' (preferred)' or '')
      if action.isPreferred and not chosen then
        chosen = action
      end
    end
  end
  if not chosen then
    return fail('no preferred code action')
  end
  log('applying: %s', chosen.title)
  vim.lsp.util.apply_workspace_edit(chosen.edit, 'utf-16')
  vim.cmd('write')
  if not vim.wait(30000, function() return #vim.diagnostic.get(bufnr) == 0 end, 20) then
    return fail('diagnostics still there after the fix')
  end
  log('diagnostics after the fix: 0')
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.client_is_stopped(client_id) end, 20)
  log('server stopped')
end)
if not ok then
  fail(tostring(err))
end
out:close()
vim.cmd('qa!')
