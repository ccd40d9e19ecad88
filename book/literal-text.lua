-- Text from the workbooks must print exactly as typed. Pandoc's Typst writer escapes quotes and
-- dashes, but Typst still reads `...` as an ellipsis and `-?` as a soft hyphen: such words are
-- written as raw Typst with every ASCII punctuation character escaped. Used by both engines.
if not FORMAT:match("typst") then return {} end

function Str(el)
  if el.text:find("%.%.%.") or el.text:find("%-%?") then
    return pandoc.RawInline("typst", (el.text:gsub("(%p)", "\\%1")))
  end
end
