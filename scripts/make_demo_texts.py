"""Write the demo year's chapter texts (data/2023/textos/): synthetic, labelled as such in every text.

Each text says it is demo text, cites a few of the year's figures by name (so that the demo book
exercises citations) and places one table of its chapter with a marker. Rerun after changing the
demo workbooks: `python scripts/make_demo_texts.py [--year 2023]`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABEL = ("**Texto de demostración.** Este texto es sintético: lo genera `scripts/make_demo_texts.py` para probar "
         "el informe y no describe la gestión real de la ACI Medellín.")

# slug → (paragraphs citing the year's figures, marker placed after them, a heading for the rest)
TEXTS = {
    "resumen-ejecutivo": (["En el año se reportaron {{indicador.pi-01}} en inversión nacional y extranjera y "
                           "{{indicador.pi-02}} en cooperación técnica y financiera.",
                           "Las cifras principales del año se resumen en la tabla siguiente."],
                          "resumen-ejecutivo.cifras-principales", "Otros resultados"),
    "plan-de-desarrollo": (["El logro del año de cada indicador se compara con su meta; el de inversión fue "
                            "{{indicador.pi-01}}, un cumplimiento de {{indicador.pi-01.cumplimiento}}.",
                            "La tabla siguiente resume el plan indicativo."],
                           "plan-de-desarrollo.plan-indicativo", "Detalle del plan"),
    "inversion": (["Se detallaron {{inversion.proyectos_detallados}} proyectos de inversión por "
                   "{{inversion.monto_detallado}}.",
                   "Los proyectos detallados del año son los siguientes."], "inversion.proyectos", "Otros cuadros"),
    "cooperacion": (["La cooperación recibida detallada suma {{cooperacion.monto_detallado}} dólares en "
                     "{{cooperacion.cooperaciones_detalladas}} cooperaciones.",
                     "Las acciones de cooperación sur-sur del año se listan a continuación."],
                    "cooperacion.sur-sur", "Otros cuadros"),
    "posicionamiento": (["Se registraron {{posicionamiento.eventos}} eventos y "
                         "{{posicionamiento.postulaciones}} postulaciones a premios internacionales.",
                         "Los eventos del año, por tipo, fueron estos."], "posicionamiento.eventos-por-tipo",
                        "Otros cuadros"),
    "administrativo": (["El valor contratado del plan anual de adquisiciones fue {{administrativo.valor_contratado}} "
                        "y se atendieron {{administrativo.pqrs}} PQRS.",
                        "La contratación por modalidad fue la siguiente."], "administrativo.contratacion",
                       "Otros cuadros"),
    "estados-financieros": (["El activo total al cierre fue {{financiero.activo_total}} y la liquidez "
                             "{{financiero.liquidez}}.",
                             "El estado de situación financiera se presenta a continuación."],
                            "estados-financieros.situacion-financiera", "Otros estados"),
}


def demo_text(slug: str) -> str:
    paragraphs, marker, heading = TEXTS[slug]
    return "\n\n".join([LABEL, *paragraphs, f"{{{{tabla {marker}}}}}", f"## {heading}",
                        "Los demás cuadros del capítulo siguen a este texto."]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=2023)
    year = parser.parse_args().year
    folder = ROOT / "data" / str(year) / "textos"
    folder.mkdir(parents=True, exist_ok=True)
    for slug in TEXTS:
        (folder / f"{slug}.md").write_text(demo_text(slug), encoding="utf-8")
        print(f"escrito {folder / f'{slug}.md'}")


if __name__ == "__main__":
    main()
