-- Quarto features the pip-only engine's pandoc does not know:
-- * `::: {.content-visible when-format="html"}` / `.content-hidden`: keep or drop those blocks
--   according to the output format, as Quarto does;
-- * `fig-alt="…"` on an image: the image's alt text (pandoc would use the caption), as Quarto does.
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

function Image(el)
  local alt = el.attributes["fig-alt"]
  if not alt or not FORMAT:match("html") then return nil end
  el.attributes["fig-alt"] = nil
  el.attributes["alt"] = alt
  return el
end
