-- The year's key figures («Cifras clave», informe.report.sections.summary.key_figures_markdown) in the PDF:
-- the div `.cifras-clave` with one `.cifra` div per tile becomes a Typst grid of boxes, two columns.
-- HTML is left alone (book/styles.css styles the tiles). Data are untrusted: every text is written by
-- pandoc's own Typst writer from the tile's inlines (it escapes # [ ] \ * _ @ $ < > ` and the rest), never
-- pasted into Typst source. Used by both engines.
if not FORMAT:match("typst") then return {} end

-- Text size, weight and colour of each line of a tile, by the class of its span.
local STYLE = {
  ["cifra-nombre"] = 'size: 8.5pt, fill: rgb("#1d2730")',
  ["cifra-valor"] = 'size: 15pt, weight: "bold", fill: rgb("#1F4E79")',
  ["cifra-meta"] = 'size: 8pt, fill: rgb("#4a5560")',
  ["cifra-avance"] = 'size: 8pt, weight: "bold", fill: rgb("#1d2730")',
  ["cifra-cambio"] = 'size: 8pt, fill: rgb("#4a5560")',
}

-- Inlines as Typst markup, escaped by pandoc's writer (nothing from the data is spliced in raw).
local function typst_inlines(inlines)
  local text = pandoc.write(pandoc.Pandoc({pandoc.Plain(inlines)}), "typst")
  return (text:gsub("%s+$", ""))
end

local function line(block)
  if block.t ~= "Para" and block.t ~= "Plain" then return nil end
  local style = 'size: 8.5pt'
  local content = block.content
  if #content == 1 and content[1].t == "Span" then
    for _, class in ipairs(content[1].classes) do
      if STYLE[class] then style = STYLE[class] end
    end
    content = content[1].content
  end
  return "#text(" .. style .. ")[" .. typst_inlines(content) .. "]"
end

local function tile(div)
  local lines = {}
  for _, block in ipairs(div.content) do
    local typst = line(block)
    if typst then table.insert(lines, typst) end
  end
  local reached = div.classes:includes("meta-cumplida")
  local edge = reached and 'rgb("#5A9530")' or 'rgb("#1F4E79")'
  -- A grid cell, not a block inside one: the fill and the frame take the whole cell, so the tiles of a row
  -- have the same height.
  return "  grid.cell(inset: (x: 8pt, y: 6pt), fill: rgb(\"#F4F7FA\"), breakable: false, "
      .. "stroke: (left: 3pt + " .. edge .. ", rest: 0.5pt + rgb(\"#c9d5e0\")))["
      .. "#set par(justify: false, leading: 0.45em, spacing: 0.45em)\n"
      .. table.concat(lines, "\n\n") .. "\n  ]"
end

function Div(el)
  if not el.classes:includes("cifras-clave") then return nil end
  local tiles = {}
  for _, block in ipairs(el.content) do
    if block.t == "Div" and block.classes:includes("cifra") then table.insert(tiles, tile(block)) end
  end
  if #tiles == 0 then return {} end
  return pandoc.RawBlock("typst", "#block(above: 0.8em, below: 1.2em, grid(columns: (1fr, 1fr), gutter: 6pt,\n"
      .. table.concat(tiles, ",\n") .. ",\n))")
end
