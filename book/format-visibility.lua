-- Quarto's `::: {.content-visible when-format="html"}` / `.content-hidden` for the pip-only engine:
-- keep or drop those blocks according to the output format, as Quarto does.
local function visible(el)
  local fmt = el.attributes["when-format"]
  if not fmt then return nil end
  local matches = FORMAT:match(fmt) ~= nil
  if el.classes:includes("content-visible") then return matches end
  if el.classes:includes("content-hidden") then return not matches end
  return nil
end

function Div(el)
  local keep = visible(el)
  if keep == nil then return nil end
  if keep then return el.content else return {} end
end
