-- A table of an analyst's text without a caption is not numbered: it is prose, introduced by the text
-- around it (as in the published edition). Pandoc's Typst writer puts every table in a numbered
-- figure of kind table; such a table becomes a figure of its own kind, without number or supplement,
-- so that «Tabla 8.1» is the same in the PDF and in the HTML book. Quarto numbers only the tables it
-- cross-references, so this filter leaves Quarto alone. Used by the pip-only engine's PDF.
if not FORMAT:match("typst") or quarto ~= nil then return {} end

function Table(tbl)
  if #tbl.caption.long > 0 then return nil end
  local typst = pandoc.write(pandoc.Pandoc({tbl}), "typst")
  local unnumbered, count = typst:gsub(",%s*kind:%s*table%s*%)", ', kind: "tabla-sin-titulo", supplement: none, numbering: none)', 1)
  if count == 0 then return nil end
  return pandoc.RawBlock("typst", unnumbered)
end
