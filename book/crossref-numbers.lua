-- Per-chapter numbers of labelled tables and figures in the pip-only engine's HTML book
-- («Tabla 3.2: …», «Figura 6.1: …»), as Quarto numbers them. Only `{#tbl-…}` tables and
-- `{#fig-…}` figures are numbered; in an unnumbered chapter the number has no chapter part.
-- (The PDF is numbered by the Typst template, book/typst-template.typ, in both engines.)
if not FORMAT:match("html") then return {} end

local SUPPLEMENT = { tbl = "Tabla", fig = "Figura" }
local chapter, numbered, counts = 0, false, {}

local function number(kind)
  counts[kind] = (counts[kind] or 0) + 1
  local n = tostring(counts[kind])
  return SUPPLEMENT[kind] .. " " .. (numbered and (chapter .. "." .. n) or n) .. ":"
end

local function prefix(el, kind)
  local caption = el.caption.long
  if #caption == 0 or not el.identifier:match("^" .. kind .. "%-") then return nil end
  local first = caption[1]
  if first.content == nil then return nil end
  first.content:insert(1, pandoc.Space())
  first.content:insert(1, pandoc.Str(number(kind)))
  return el
end

return {
  {
    traverse = "topdown",
    Header = function(h)
      if h.level == 1 then
        numbered = not h.classes:includes("unnumbered")
        if numbered then chapter = chapter + 1 end
        counts = {}
      end
    end,
    Table = function(t) return prefix(t, "tbl") end,
    Figure = function(f) return prefix(f, "fig") end,
  },
}
