"""The analyst's guide in Spanish (``docs/guia-analista.md``), generated from the data contract.

Regenerate with ``python -m informe.data.guide``; a test fails when the committed guide is stale.
The worked example of the financial statements is real data: the test runs the same subtotal and
role checks on it that ``informe validate`` runs on a year.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from .contract import CATALOG_SHEET, CONTRACT, MEASURES, ROLE_SHEETS, STATEMENT_ROLES, catalogs
from .newyear import NewYear

# What each role marks, in which sheet, and what uses it.
ROLE_DESCRIPTIONS = {
    "activo_total": ("Situación financiera", "total del activo; ecuación patrimonial y endeudamiento"),
    "activo_corriente": ("Situación financiera", "activo corriente; liquidez y capital de trabajo"),
    "efectivo": ("Situación financiera", "efectivo y equivalentes; razón de efectivo y flujo de efectivo"),
    "pasivo_total": ("Situación financiera", "total del pasivo; ecuación patrimonial y endeudamiento"),
    "pasivo_corriente": ("Situación financiera", "pasivo corriente; liquidez, capital de trabajo, razón de efectivo"),
    "patrimonio_total": ("Situación financiera", "total del patrimonio; ecuación patrimonial y estado de cambios"),
    "pasivo_mas_patrimonio": ("Situación financiera", "total pasivo más patrimonio publicado"),
    "capital_fiscal": ("Situación financiera", "componente del patrimonio (estado de cambios)"),
    "resultados_anteriores": ("Situación financiera", "componente del patrimonio (estado de cambios)"),
    "reservas": ("Situación financiera", "componente del patrimonio (estado de cambios)"),
    "resultado_ejercicio": ("Situación financiera", "resultado del ejercicio en el patrimonio = excedente neto"),
    "excedente_neto": ("Resultados", "excedente o déficit del ejercicio (la última línea)"),
    "efectivo_inicial": ("Flujo de efectivo", "efectivo al principio del año = efectivo del balance del año anterior"),
    "variacion_efectivo": ("Flujo de efectivo", "aumento o disminución neta del efectivo"),
    "efectivo_final": ("Flujo de efectivo", "efectivo al final del año = efectivo del balance"),
}

# A small balance sheet written as the workbook expects it (worked example of the guide).
EXAMPLE_BALANCE = pd.DataFrame(
    [
        ("1.1", "1", "ACTIVO CORRIENTE", "+", "activo_corriente", 600),
        ("1.1.1", "1.1", "Efectivo y equivalentes", "+", "efectivo", 250),
        ("1.1.2", "1.1", "Cuentas por cobrar", "+", None, 350),
        ("1.2", "1", "ACTIVO NO CORRIENTE", "+", None, 400),
        ("1.2.1", "1.2", "Propiedades, planta y equipo", "+", None, 500),
        ("1.2.2", "1.2", "Depreciación acumulada", "-", None, 100),
        ("1", None, "TOTAL ACTIVOS", "+", "activo_total", 1000),
        ("2.1", "2", "PASIVO CORRIENTE", "+", "pasivo_corriente", 200),
        ("2", "2-3", "TOTAL PASIVOS", "+", "pasivo_total", 200),
        ("3.1", "3", "Capital fiscal", "+", "capital_fiscal", 700),
        ("3.2", "3", "Resultados de ejercicios anteriores", "+", "resultados_anteriores", 0),
        ("3.3", "3", "Reservas", "+", "reservas", 40),
        ("3.4", "3", "Resultado del ejercicio", "+", "resultado_ejercicio", 60),
        ("3", "2-3", "TOTAL PATRIMONIO", "+", "patrimonio_total", 800),
        ("2-3", None, "TOTAL PASIVO Y PATRIMONIO", "+", "pasivo_mas_patrimonio", 1000),
    ],
    columns=["Código", "Código padre", "Cuenta", "Signo", "Rol", "Año actual"],
)
EXAMPLE_INCOME = pd.DataFrame(
    [
        ("1", "R", "INGRESOS", "+", None, 900),
        ("2", "R", "GASTOS", "-", None, 840),
        ("R", None, "EXCEDENTE (DÉFICIT) DEL EJERCICIO", "+", "excedente_neto", 60),
    ],
    columns=["Código", "Código padre", "Cuenta", "Signo", "Rol", "Año actual"],
)
EXAMPLE_CASH = pd.DataFrame(
    [
        ("O", "V", "Efectivo neto de las actividades de operación", "+", None, 80),
        ("I", "V", "Efectivo neto de las actividades de inversión", "+", None, -30),
        ("V", "E1", "Aumento (disminución) neto en efectivo", "+", "variacion_efectivo", 50),
        ("E0", "E1", "Efectivo al principio del ejercicio", "+", "efectivo_inicial", 200),
        ("E1", None, "Efectivo al final del ejercicio", "+", "efectivo_final", 250),
    ],
    columns=["Código", "Código padre", "Concepto", "Signo", "Rol", "Año actual"],
)


def _table(frame: pd.DataFrame) -> list[str]:
    def cell(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        return f"{v:,}".replace(",", ".") if isinstance(v, int) else str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return lines + [""]


def _workbooks() -> list[str]:
    lines = ["| Libro | Hojas |", "|---|---|"]
    for spec in CONTRACT:
        lines.append(f"| `{spec.filename}` | " + ", ".join(f"«{s.name}»" for s in spec.sheets) + " |")
    return lines + [""]


def _catalogs() -> list[str]:
    lines = ["| Libro | Catálogo | Columnas que lo usan |", "|---|---|---|"]
    for spec in CONTRACT:
        for name, uses in catalogs(spec).items():
            lines.append(f"| `{spec.filename}` | {name} | " + ", ".join(f"«{s}» · {c.header}" for s, c in uses) + " |")
    return lines + [""]


def _roles() -> list[str]:
    lines = ["| Rol | Hoja | Qué marca y para qué se usa |", "|---|---|---|"]
    for role in STATEMENT_ROLES:
        lines.append(f"| `{role}` | {ROLE_SHEETS[role]} | {ROLE_DESCRIPTIONS[role][1]} |")
    return lines + [""]


def guide_markdown() -> str:
    """The whole guide (generated; do not edit by hand)."""
    example = NewYear(2024, Path("data/2024"), Path("params/2024.yml"), Path("data/2023"), True, False)
    plan = next(spec for spec in CONTRACT if spec.filename == "plan_desarrollo.xlsx")
    strategy = next(spec for spec in CONTRACT if spec.filename == "planeacion_estrategica.xlsx")
    lines = [
        "# Guía del analista: preparar el informe de un año",
        "",
        "<!-- Generado con `python -m informe.data.guide` a partir del contrato de datos. No editar a mano. -->",
        "",
        "Esta guía explica cómo preparar los datos de un año nuevo del Informe de Gestión. El detalle de cada",
        "columna (tipo, unidad, si es obligatoria, valores permitidos) está en `docs/data-contract.md` y en la",
        "nota de cada encabezado de los libros de Excel.",
        "",
        "## 1. Empezar el año",
        "",
        "```bash",
        ".venv/bin/informe new-year 2024",
        "```",
        "",
        "crea `data/2024/` a partir de `data/2023/` y escribe `params/2024.yml`. Copia los catálogos, el Plan de",
        "Desarrollo (si su periodo incluye el año nuevo), el marco estratégico con sus resultados clave (sin su",
        "estado), las claves de las hojas «Cifras», la estructura de los estados financieros con los saldos de",
        "cierre del año anterior en la columna «Año anterior», y las listas que se repiten cada año (rubros del",
        "presupuesto, modalidades de contratación, procesos de PQRS). Nunca sobrescribe nada. Si el año anterior",
        "es de demostración, no copia ninguna cifra. Al terminar imprime lo que falta por llenar; por ejemplo,",
        "con un plan que continúa:",
        "",
        *[f"- {item}" for item in example.checklist()],
        "",
        "Mientras falten datos, `informe validate --year 2024` termina con código 1 y lista cada celda vacía",
        "obligatoria por libro, hoja, fila y columna. Todas las verificaciones que no dependen de una hoja con",
        "errores se hacen igual, así que cada ronda muestra todos los problemas independientes.",
        "",
        "Los libros del año:",
        "",
        *_workbooks(),
        "## 2. Los parámetros: `params/<año>.yml`",
        "",
        "Fecha de corte (`cutoff`), si el año es de demostración (`demo`), la entidad (`agency`), la tasa de",
        "cambio (`exchange_rate.cop_per_usd`) y los firmantes (`signatories`: nombre `name` y cargo `role` de",
        "cada uno), que el informe imprime en su página de cierre. Un informe real (`demo: false`) solo se",
        "compara con un año anterior real: si el año anterior es de demostración, las comparaciones dicen que",
        "el año anterior no está disponible.",
        "",
        "## 3. El Plan de Desarrollo es un dato",
        "",
        "Nada del plan está escrito en el programa: su nombre, su periodo (de cualquier duración), los códigos",
        "y nombres de sus indicadores y cómo se concilian salen de `plan_desarrollo.xlsx`:",
        "",
        *[f"- «{s.name}»: {s.description}" for s in plan.sheets],
        "",
        "Cuando empieza un plan nuevo (otro periodo, otros códigos), escriba su nombre y periodo en «Plan»,",
        "sus indicadores en «Indicadores», las metas de cada año en «Metas» y una fila por conciliación en",
        "«Conciliaciones». Las medidas posibles son: " + ", ".join(f"«{m}»" for m in MEASURES) + ". Por ejemplo,",
        "un indicador de monto de inversión se concilia con «Suma» de la columna «Monto (USD millones)» de la",
        "hoja «Proyectos» de `inversion.xlsx`; uno de eventos con «Filas con valor» de la columna «¿Por qué",
        "Medellín?» igual a «Sí». La validación comprueba que el libro, la hoja, la columna y el valor existen;",
        "una conciliación que no se puede calcular es un error, nunca se omite. Un detalle menor que el logro",
        "del año es una advertencia (el informe puede nombrar solo parte de lo que cuenta); mayor, un error.",
        "",
        "Las cifras principales del resumen ejecutivo son los indicadores con «Orden en resumen»: su rótulo es",
        "«Cifra en resumen» y su frase «Frase en resumen», donde `{valor}` se reemplaza por el logro del año",
        "(y `{CÓDIGO}`, p. ej. `{IND-02}`, por el logro de otro indicador, para nombrar dos cifras en una frase).",
        "",
        "### La planeación estratégica",
        "",
        "El marco estratégico de la entidad también es un dato, en `planeacion_estrategica.xlsx`:",
        "",
        *[f"- «{s.name}»: {s.description}" for s in strategy.sheets if s.name != CATALOG_SHEET],
        "",
        "`informe new-year` copia el marco, los objetivos y los resultados clave del año anterior y deja vacío el",
        "«Estado» de cada resultado clave: escriba el estado del año (los valores posibles están en el catálogo",
        "«Estado» de la hoja «Catálogos»; «Sin reporte» cuando la entidad no ha reportado el resultado) y",
        "actualice los textos si la planeación cambió. La validación comprueba que cada objetivo táctico responde",
        "a un objetivo estratégico de la hoja, que cada resultado clave aporta a un objetivo táctico de la hoja y",
        "que el «Indicador del plan», cuando lo hay, es el código de un indicador de la hoja «Indicadores» de",
        "`plan_desarrollo.xlsx`; cada referencia rota es un error que nombra la fila y la columna.",
        "",
        f"## 4. Catálogos: la hoja «{CATALOG_SHEET}»",
        "",
        "Las listas de valores permitidos (sectores, frentes, unidades, modalidades, claves de cifras...) están",
        f"en la hoja «{CATALOG_SHEET}» de cada libro, una columna por catálogo. Para admitir un valor nuevo, por",
        "ejemplo un sector, escríbalo al final de su columna; las listas desplegables lo ofrecen de inmediato.",
        "Un valor que no está en su catálogo es un error que nombra el catálogo que hay que ampliar.",
        "",
        *_catalogs(),
        "## 5. Los estados financieros: códigos, padres, signos y roles",
        "",
        "Cada estado (situación financiera, resultados, flujo de efectivo) es una lista de líneas. Cada línea",
        "tiene un «Código» único; «Código padre» es el código de la línea que la suma (vacío en las líneas de",
        "nivel superior); «Signo» dice si la línea suma (+) o resta (-) en su padre. La validación comprueba",
        "que cada línea con hijas vale exactamente la suma con signo de sus hijas, en ambos años. Los códigos",
        "son libres mientras sean únicos: las líneas de total pueden tener códigos como `2-3` (pasivo más",
        "patrimonio), `R` (resultado del ejercicio), `O`, `I`, `F` (actividades del flujo), `V` (variación del",
        "efectivo), `E0` y `E1` (efectivo al principio y al final). Los valores van en pesos, sin decimales; un",
        "valor negativo lleva signo menos (el informe lo imprime entre paréntesis).",
        "",
        "«Rol» marca las pocas líneas que usan las verificaciones y los indicadores financieros; cada rol",
        "aparece una sola vez en su hoja:",
        "",
        *_roles(),
        "### Ejemplo: estado de situación financiera",
        "",
        *_table(EXAMPLE_BALANCE),
        "- «ACTIVO CORRIENTE» (1.1) = 250 + 350 = 600; «ACTIVO NO CORRIENTE» (1.2) = 500 − 100 = 400, porque la",
        "  depreciación acumulada tiene signo «-» (también puede escribirse −100 con signo «+»).",
        "- «TOTAL ACTIVOS» (1) = 600 + 400 = 1.000 no tiene padre; «TOTAL PASIVO Y PATRIMONIO» (2-3) =",
        "  200 + 800 = 1.000. La ecuación patrimonial compara las líneas con rol `activo_total` y",
        "  `pasivo_total` + `patrimonio_total`.",
        "- Los componentes del patrimonio (roles `capital_fiscal`, `resultados_anteriores`, `reservas`,",
        "  `resultado_ejercicio`) deben coincidir con el saldo final del estado de cambios en el patrimonio.",
        "",
        "### Ejemplo: estado de resultados",
        "",
        *_table(EXAMPLE_INCOME),
        "«GASTOS» tiene signo «-»: el resultado R = 900 − 840 = 60, igual al «Resultado del ejercicio» del",
        "balance.",
        "",
        "### Ejemplo: flujo de efectivo",
        "",
        *_table(EXAMPLE_CASH),
        "E1 = E0 + V = 200 + 50 = 250, igual a la línea con rol `efectivo` del balance; E0 debe ser el efectivo",
        "del balance del año anterior.",
        "",
        "## 6. Año anterior",
        "",
        "Cuando existen los datos del año anterior (y son comparables), la columna «Año anterior» de cada línea",
        "debe ser igual a «Año actual» de la línea con el mismo código en el libro del año anterior; si no, la",
        "validación da una advertencia que nombra las dos celdas.",
        "",
        "## 7. Los textos de cada capítulo",
        "",
        "El informe es, sobre todo, texto: lo que hay detrás de las cifras. Cada capítulo tiene su texto en",
        "`data/<año>/textos/<capítulo>.docx` (Word) o `.md` (Markdown), donde `<capítulo>` es el `slug` del",
        "capítulo en `params/<año>.yml` (clave `chapters`: lista, orden y título de los capítulos del año; un",
        "capítulo sin `notebook` es solo texto, p. ej. «Retos»). Se conservan títulos (Título 2 y 3 de Word),",
        "listas, negrillas y cursivas, notas al pie, enlaces web, tablas e imágenes (con su texto alternativo:",
        "clic derecho → Ver texto alternativo; sin él la validación avisa).",
        "",
        "- **Cifras**: escriba `{{nombre}}` donde va una cifra de los datos, p. ej. `{{indicador.pi-01}}` (logro",
        "  del año del indicador con código «pi-01» en la hoja «Indicadores») o `{{posicionamiento.agendas_trabajo}}`; "
        "el informe la imprime con el",
        "  mismo formato que las tablas. La lista de nombres, con el valor de 2022, está en",
        "  [cifras-citables.md](cifras-citables.md). Un nombre que no existe es un error que nombra archivo y",
        "  párrafo. Una cifra escrita a mano que contradice una cifra del capítulo (p. ej. «USD 155,76 millones»",
        "  cuando el dato es 155,67, o «25 empresas» cuando el indicador dice 24) es una advertencia.",
        "- **Tablas y gráficos**: un párrafo que solo dice `{{tabla inversion.proyectos}}` pone ahí esa tabla;",
        "  las tablas que el texto no ubica van después del texto, con su título de sección. El nombre de cada",
        "  tabla es `<capítulo>.<bloque>` (los bloques de cada capítulo se listan en el error si uno no existe).",
        "- **No se admite** (error con archivo y párrafo): HTML, código de Typst o LaTeX, códigos de Quarto",
        "  (`{{< … >}}`), enlaces `javascript:` o a archivos locales, imágenes de internet, textos que no",
        "  estén en UTF-8 o de más de 1 MB, documentos de Word dañados.",
        "- `informe new-year` deja en `textos/` un esqueleto de cada texto con los títulos, las tablas y las",
        "  cifras citadas el año anterior, y «Por escribir» donde va el texto nuevo (nunca el texto del año",
        "  anterior); la validación avisa mientras quede algún «Por escribir».",
        "",
        "## 8. Construir el informe",
        "",
        "Cuando `informe validate --year 2024` termina con código 0 (las advertencias no detienen el informe),",
        "`YEAR=2024 make report` construye el PDF y el libro HTML.",
        "",
        "Mientras escribe los textos o corrige los libros, `.venv/bin/informe preview --year 2024 --open` abre el",
        "libro HTML en el navegador y lo actualiza cada vez que guarda un archivo: si algo está mal, la página",
        "muestra el error (archivo, hoja, fila y columna) hasta que lo corrija. Al terminar (Ctrl-C) construye el",
        "informe completo con su PDF.",
        "",
        "En la terminal, cada vez que guarda, la vista previa dice qué archivo cambió y qué capítulos lo leen (por",
        "ejemplo «Cambió posicionamiento.xlsx (lo leen: Resumen ejecutivo, …)»): solo esos capítulos se calculan de",
        "nuevo, y la página se actualiza en alrededor de un segundo después de guardar un texto, y de dos después",
        "de guardar un libro. Guardar un archivo sin cambiar nada no recarga la página. Ctrl-C la termina en",
        "cualquier momento, también mientras construye.",
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or ["docs/guia-analista.md"])[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(guide_markdown(), encoding="utf-8")
    print(f"escrito {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
