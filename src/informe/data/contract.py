"""The data contract: every workbook, sheet and column the report reads.

This module is the single place where the shape of the analysts' workbooks is
written down. Everything else is derived from it: the pandera schemas used by
``informe validate`` (:mod:`informe.schemas`), the empty workbooks written by
``informe template`` (:mod:`informe.template`) and ``docs/data-contract.md``
(:mod:`informe.contract_doc`).

Headers are in Spanish, exactly as analysts see them in Excel. Identifiers in
code are in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .numbers import format_es

# --------------------------------------------------------------------------
# Structural enumerations: the code computes with these values, so they are
# fixed. Domain lists (sectors, fronts, units, modalities, figure keys...) are
# *catalogs*: they live in each workbook's «Catálogos» sheet (see ``catalog=``).
# --------------------------------------------------------------------------

EVENT_KINDS = ("Propio", "Invitado", "Gestionado para la Alcaldía")
YES_NO = ("Sí", "No")
PLANS = ("Plan indicativo", "Plan de acción")
AWARD_RESULTS = ("Postulado", "Ganador", "Finalista", "No seleccionado", "Sin resultado publicado")
SIGNS = ("+", "-")
EQUITY_ROW_KINDS = ("Saldo inicial", "Movimiento", "Saldo final")
BUDGET_KINDS = ("Ingresos", "Gastos")
FINANCIAL_INDICATORS = ("Liquidez", "Capital de trabajo", "Nivel de endeudamiento", "Razón de efectivo")
# How a plan indicator is reconciled with its detail (sheet «Conciliaciones» of plan_desarrollo.xlsx).
MEASURES = ("Filas", "Suma", "Filas con valor")
# The quarters a key result of the strategic framework is planned for.
QUARTERS = ("Q1", "Q2", "Q3", "Q4")

# The sheet of every workbook that holds its catalogs: one column per catalog, one allowed value per row.
CATALOG_SHEET = "Catálogos"

# Roles that mark the statement lines the checks and indicators use.
STATEMENT_ROLES = (
    "activo_total",
    "activo_corriente",
    "efectivo",
    "pasivo_total",
    "pasivo_corriente",
    "patrimonio_total",
    "pasivo_mas_patrimonio",
    "excedente_neto",
    "efectivo_inicial",
    "efectivo_final",
    "variacion_efectivo",
    "capital_fiscal",
    "resultados_anteriores",
    "reservas",
    "resultado_ejercicio",
)

UNITS = {
    "usd_m": "USD millones",
    "usd": "USD",
    "cop": "COP pesos",
    "count": "cantidad",
    "pct": "%",
    "text": "texto",
    "date": "fecha",
    "ratio": "razón",
    # a column whose unit another column gives (Cifras: «Unidad»; indicators)
    "varies": "la de su fila (columna «Unidad», o la del indicador)",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet, as it appears in row 1 of the workbook."""

    header: str
    kind: str  # "text", "number", "integer", "date"
    unit: str  # a key of UNITS
    description: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None  # below it: an error (an impossible value, e.g. a negative count)
    unique: bool = False
    example: object = None
    catalog: str | None = None  # name of the «Catálogos» column that lists the allowed values
    maximum: float | None = None  # above it: an error (e.g. a share of a total above 100 %)
    # The range a real value falls in (zeros aside); outside it: a warning that asks whether the value was typed
    # in another unit (cents, thousands, millions). None: no expectation.
    plausible: tuple[float, float] | None = None

    def expected(self) -> str:
        """What the column expects, in words (for messages and the contract's documentation)."""
        unit = UNITS.get(self.unit, self.unit)
        if self.plausible is None:
            return unit
        low, high = self.plausible
        return f"entre {format_es(low)} y {format_es(high)} ({unit})"



@dataclass(frozen=True)
class Sheet:
    name: str
    description: str
    columns: tuple[Column, ...]
    seed_section: str = ""

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(f"{self.name!r} has no column {header!r}")


@dataclass(frozen=True)
class Workbook:
    filename: str
    description: str
    sheets: tuple[Sheet, ...] = field(default_factory=tuple)

    def sheet(self, name: str) -> Sheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(f"{self.filename} has no sheet {name!r}")


def _text(header, description, **kw):
    return Column(header, "text", "text", description, **kw)


def _date(header, description, **kw):
    """A date as published: text («28 de febrero al 2 de marzo») or an Excel date (read as 28/02/2022)."""
    return Column(header, "text", "date", description, **kw)


def _num(header, unit, description, **kw):
    return Column(header, "number", unit, description, **kw)


def _int(header, unit, description, **kw):
    kw.setdefault("minimum", 0)
    return Column(header, "integer", unit, description, **kw)


def _enum(header, allowed, description, **kw):
    return Column(header, "text", "text", description, allowed=allowed, **kw)


def _catalog(header, description, catalog: str | None = None, **kw):
    """A text column whose allowed values are the year's catalog ``catalog`` (default: the header)."""
    return Column(header, "text", "text", description, catalog=catalog or header, **kw)


# --------------------------------------------------------------------------
# Shared column groups
# --------------------------------------------------------------------------

def _statement_columns(label: str, with_variation: bool, with_note: bool) -> tuple[Column, ...]:
    cols = [
        _text("Código", "Identificador único de la línea dentro del estado (p. ej. 1, 1.1, 1.1.1).", unique=True),
        _text("Código padre", "Código de la línea que agrega a esta; vacío en las líneas de nivel superior.",
              required=False),
        _text(label, "Nombre de la línea tal como se publica."),
        _enum("Signo", SIGNS, "Cómo entra la línea en la suma de su padre: + suma, - resta."),
        _enum("Rol", STATEMENT_ROLES, "Marca las líneas que usan los indicadores y las verificaciones.",
              required=False),
    ]
    if with_note:
        cols.append(_text("Nota", "Número de la nota explicativa.", required=False))
    cols += [
        _num("Año actual", "cop", "Saldo del año del informe, en pesos sin decimales."),
        _num("Año anterior", "cop", "Saldo del año anterior, en pesos sin decimales."),
    ]
    if with_variation:
        cols += [
            _num("Var $ publicada", "cop",
                 "Variación en pesos tal como se publicó (solo para verificar; el informe la recalcula).",
                 required=False),
            _num("Var % publicada", "pct", "Variación porcentual publicada, en % (solo para verificar).",
                 required=False),
        ]
    return tuple(cols)


def _figures_sheet() -> Sheet:
    return Sheet(
        "Cifras",
        "Cifras globales que el informe publica sin detalle (totales, retornos, acumulados).",
        (
            _catalog("Clave", "Identificador de la cifra; el informe lee las cifras por su clave.", unique=True),
            _text("Concepto", "Descripción de la cifra tal como la lee el director."),
            _num("Valor", "varies", "Valor de la cifra (la unidad va en la columna Unidad)."),
            _text("Unidad", "Unidad del valor: USD millones, COP pesos, cantidad, %..."),
            _text("Fuente", "Sección del informe o documento de donde proviene.", required=False),
        ),
    )


# --------------------------------------------------------------------------
# The contract
# --------------------------------------------------------------------------

PLAN = Workbook(
    "plan_desarrollo.xlsx",
    "El Plan de Desarrollo vigente: su nombre y periodo, los indicadores a cargo de la ACI Medellín "
    "(plan indicativo y plan de acción), sus metas por año y cómo se concilia cada indicador con su detalle.",
    (
        Sheet(
            "Plan",
            "Una sola fila: el Plan de Desarrollo vigente en el año del informe y su periodo (de cualquier duración).",
            (
                _text("Nombre", "Nombre del plan tal como se publica."),
                _int("Primer año", "count", "Primer año del periodo del plan.", minimum=1900),
                _int("Último año", "count", "Último año del periodo del plan (igual o posterior al primero).",
                     minimum=1900),
            ),
        ),
        Sheet(
            "Indicadores",
            "Un indicador por fila: meta del plan, logro del año y acumulado del periodo. Las metas de cada año "
            "van en la hoja «Metas». Las columnas «Orden en resumen», «Cifra en resumen» y «Frase en resumen» "
            "ponen el indicador entre las cifras principales del resumen ejecutivo.",
            (
                _text("Código", "Identificador del indicador dentro del plan, como lo publica el plan.", unique=True),
                _enum("Plan", PLANS, "Plan al que pertenece el indicador."),
                _catalog("Frente", "Frente de trabajo o línea que responde por el indicador.", required=False),
                _text("Indicador", "Nombre del indicador tal como se publica."),
                _catalog("Unidad", "Unidad de medida del indicador."),
                _int("Decimales", "count", "Decimales con que se publican sus valores (vacío: 2 si algún valor los "
                     "tiene, 0 si no).", required=False),
                _num("Meta del plan", "varies", "Meta de todo el periodo del plan, en la unidad del indicador.",
                     minimum=0),
                _num("Logro año", "varies", "Logro del año del informe.", minimum=0),
                _num("Acumulado", "varies", "Avance acumulado del periodo del plan al corte.", minimum=0),
                _int("Orden en resumen", "count", "Posición entre las cifras principales del resumen ejecutivo "
                     "(vacío: no es cifra principal).", required=False, minimum=1),
                _text("Cifra en resumen", "Rótulo de la cifra en la tabla del resumen ejecutivo.", required=False),
                _text("Frase en resumen", "Frase del resumen ejecutivo; {valor} se reemplaza por el logro del año "
                      "formateado.", required=False),
            ),
            "4.1 Indicadores plan indicativo; 4.2 plan de acción; indicadores de inversión y cooperación",
        ),
        Sheet(
            "Metas",
            "La meta de cada indicador para cada año del plan (una fila por indicador y año).",
            (
                _text("Código", "Código del indicador (hoja «Indicadores»)."),
                _int("Año", "count", "Año de la meta, dentro del periodo del plan.", minimum=1900),
                _num("Meta", "varies", "Meta del indicador en ese año, en su unidad.", minimum=0),
            ),
            "4.3 Metas del año siguiente; META del año en los cuadros de indicadores",
        ),
        Sheet(
            "Conciliaciones",
            "Cómo se concilia un indicador con las filas de detalle que lo soportan: libro y hoja del detalle y "
            "medida (número de filas, suma de una columna o número de filas donde una columna tiene un valor). "
            "Un detalle menor que el logro del año es una advertencia; mayor, un error.",
            (
                _text("Código", "Código del indicador (hoja «Indicadores»)."),
                _text("Libro", "Libro del detalle (p. ej. inversion.xlsx)."),
                _text("Hoja", "Hoja del detalle dentro de ese libro."),
                _enum("Medida", MEASURES, "Filas: número de filas; Suma: suma de «Columna»; Filas con valor: filas "
                      "donde «Columna» es igual a «Valor»."),
                _text("Columna", "Columna que se suma o se compara (vacía para Filas).", required=False),
                _text("Valor", "Valor que se cuenta (solo para Filas con valor).", required=False),
                _num("Escala", "ratio", "Factor que lleva el detalle a la unidad del indicador (p. ej. 0,000001 de "
                     "USD a millones de USD); vacío = 1.", required=False),
                _text("Detalle", "Cómo se nombra el detalle en los mensajes (p. ej. proyectos detallados)."),
            ),
        ),
    ),
)

INVESTMENT = Workbook(
    "inversion.xlsx",
    "Atracción de inversión: proyectos reportados y gestiones de zonas francas.",
    (
        Sheet(
            "Proyectos",
            "Proyectos de inversión o reinversión reportados en el año. Cuando el informe solo da el total, "
            "se registran los proyectos que sí nombra; el total está en el indicador.",
            (
                _text("Empresa", "Nombre de la empresa."),
                _text("País de origen", "País de origen de la inversión.", required=False),
                _catalog("Sector", "Sector priorizado de inversión.", required=False),
                _catalog("Tipo de inversión", "Nueva inversión o reinversión.", required=False),
                _num("Monto (USD millones)", "usd_m", "Monto certificado, en millones de USD.", required=False,
                     minimum=0, plausible=(0.01, 1000)),
                _int("Empleos", "count", "Empleos generados o proyectados que publica el informe.", required=False,
                     plausible=(1, 50000)),
                _text("Descripción", "Resumen de la gestión.", required=False),
            ),
            "Lo que hemos logrado en atracción de inversión",
        ),
        Sheet(
            "Zonas francas",
            "Acciones del plan de zonas francas del año y su resultado.",
            (
                _text("Acción", "Acción del plan de zonas francas."),
                _text("Resultado", "Resultado o avance reportado.", required=False),
            ),
            "Apoyo a la instalación de zonas francas",
        ),
        _figures_sheet(),
    ),
)

COOPERATION = Workbook(
    "cooperacion.xlsx",
    "Cooperación internacional: recibida, oferta sur-sur y col-col, Sos Paisa y sociedad civil.",
    (
        Sheet(
            "Cooperación recibida",
            "Cooperación técnica o financiera recibida, con monto cuando el informe lo publica.",
            (
                _text("Cooperante", "Entidad que otorga la cooperación."),
                _text("Proyecto", "Proyecto o iniciativa que recibe la cooperación."),
                _catalog("Línea temática", "Línea temática de cooperación.", required=False),
                _text("Receptor", "Secretaría, dependencia o entidad que recibe la cooperación.", required=False),
                _catalog("Tipo de cooperación", "Técnica o financiera.", required=False),
                _num("Monto (USD)", "usd", "Monto en dólares.", required=False, minimum=0,
                     plausible=(100, 100_000_000)),
            ),
            "Lo que hemos logrado en demanda de cooperación",
        ),
        Sheet(
            "Sur-Sur",
            "Acciones de cooperación sur-sur en las que Medellín comparte sus buenas prácticas.",
            (
                _text("Tema", "Línea o tema del intercambio tal como se publica."),
                _text("Secretaría aliada", "Dependencia de la Alcaldía que ofrece la práctica.", required=False),
                _text("Programa del Plan de Desarrollo", "Componente o programa relacionado.", required=False),
                _text("Agenda", "Nombre de la agenda o contraparte."),
                _text("Descripción", "Qué se compartió.", required=False),
                _text("Beneficiario", "Entidad receptora.", required=False),
                _text("País", "País del beneficiario."),
            ),
            "Lo que hemos logrado en Oferta de cooperación (tabla sur-sur)",
        ),
        Sheet(
            "Col-Col",
            "Intercambios con otras ciudades y departamentos de Colombia.",
            (
                _text("Tema", "Tema del intercambio."),
                _text("Descripción", "Qué se compartió.", required=False),
                _text("Secretaría", "Dependencia que comparte la práctica.", required=False),
                _text("Tipo de cooperación", "Intercambio de conocimiento, articulación, ...", required=False),
                _text("Cooperante", "Quien ofrece la práctica.", required=False),
                _text("Beneficiario", "Entidad colombiana beneficiaria."),
            ),
            "Oferta de cooperación col-col",
        ),
        Sheet(
            "Sos Paisa",
            "Aportes de antioqueños en el exterior (red Sos Paisa) al desarrollo de la ciudad.",
            (
                _text("Aporte", "Descripción breve del aporte."),
                _text("Paisa", "Persona de la diáspora que hizo el aporte.", required=False),
                _text("País de residencia", "País donde reside.", required=False),
                _text("Tema", "Tema del aporte (cine, tecnología, música...).", required=False),
                _text("Mes", "Mes del aporte.", required=False),
                _text("Beneficiario", "Quién recibió el aporte.", required=False),
            ),
            "Sos Paisa",
        ),
        Sheet(
            "Oportunidades OSC",
            "Oportunidades de cooperación identificadas y socializadas a organizaciones de la sociedad civil.",
            (
                _text("Aliado", "Organización que ofrece la oportunidad."),
                _text("Oportunidad", "Nombre de la convocatoria o premio."),
                _catalog("Instrumento", "Instrumento de cooperación."),
                _text("Líneas temáticas", "Líneas temáticas, separadas por punto y coma.", required=False),
                _num("Importe (USD)", "usd", "Importe máximo publicado, en USD.", required=False, minimum=0,
                     plausible=(100, 100_000_000)),
            ),
            "Listado de oportunidades identificadas y socializadas a las organizaciones",
        ),
        Sheet(
            "OSC participantes",
            "Organizaciones de la sociedad civil vinculadas al programa de acompañamiento.",
            (
                _int("N°", "count", "Número de orden publicado.", unique=True),
                _text("Organización", "Nombre de la organización."),
            ),
            "Organizaciones de la sociedad civil",
        ),
        _figures_sheet(),
    ),
)

POSITIONING = Workbook(
    "posicionamiento.xlsx",
    "Posicionamiento y comunicaciones: eventos, premios, prensa y agendas.",
    (
        Sheet(
            "Eventos",
            "Eventos propios, eventos a los que la ACI fue invitada y eventos gestionados para la Alcaldía.",
            (
                _enum("Tipo de evento", EVENT_KINDS, "Propio, invitado o gestionado para la Alcaldía."),
                _text("Nombre del evento", "Nombre tal como se publica."),
                _date("Fecha",
                      "Fecha o rango de fechas tal como se publica (texto, o fecha de Excel: se publica 28/02/2022)."),
                _text("Finalidad", "Finalidad o descripción del evento.", required=False),
                _int("Asistentes", "count", "Número de asistentes, cuando se publica una cifra.", required=False,
                     plausible=(1, 100_000)),
                _text("Asistentes (detalle)", "Texto publicado sobre los asistentes (p. ej. '5 empresas').",
                      required=False),
                _enum("¿Por qué Medellín?", YES_NO, "Sí si es un evento ¿Por qué Medellín? con empresarios."),
                _text("Participante por Medellín", "Quién representó a Medellín (eventos gestionados).",
                      required=False),
            ),
            "Eventos",
        ),
        Sheet(
            "Premios",
            "Postulaciones de buenas prácticas de Medellín a premios internacionales.",
            (
                _text("Premio", "Nombre del premio."),
                _text("Organizador", "Organización que lo otorga.", required=False),
                _text("Postulación", "Práctica o programa postulado."),
                _text("Entidad postulada", "Dependencia o entidad responsable de la práctica.", required=False),
                _enum("Resultado", AWARD_RESULTS, "Resultado de la postulación."),
            ),
            "Logros en comunicaciones y premios internacionales",
        ),
        _figures_sheet(),
    ),
)

ADMINISTRATION = Workbook(
    "administrativo.xlsx",
    "Relaciones administrativas: contratación (PAA), PQRS y procesos judiciales.",
    (
        Sheet(
            "Contratación",
            "Ejecución del plan anual de adquisiciones por modalidad de contratación.",
            (
                _catalog("Modalidad", "Modalidad de contratación.", unique=True),
                _int("Procesos", "count", "Número de procesos.", plausible=(0, 10_000)),
                _num("Valor (COP)", "cop", "Valor contratado en pesos.", minimum=0, plausible=(100_000, 1e12)),
            ),
            "9.1.1 Contratación y ejecución del plan anual de adquisiciones – PAA",
        ),
        Sheet(
            "PQRS",
            "Peticiones, quejas, reclamos y sugerencias atendidas, por proceso.",
            (
                _catalog("Proceso", "Proceso que atendió la PQRS.", unique=True),
                _int("Cantidad", "count", "Número de PQRS atendidas.", plausible=(0, 100_000)),
                _num("Porcentaje publicado", "pct", "Porcentaje publicado, en % (solo para verificar).", required=False,
                     minimum=0, maximum=100),
            ),
            "9.1.2 Seguimiento a las PQRS",
        ),
        Sheet(
            "Procesos judiciales",
            "Procesos judiciales en curso.",
            (
                _text("Proceso", "Tipo de proceso."),
                _text("Radicado", "Número de radicado.", unique=True),
                _text("Demandante", "Parte demandante."),
                _text("Demandado", "Parte demandada."),
                _num("Cuantía (COP)", "cop", "Cuantía en pesos.", required=False, minimum=0, plausible=(100_000, 1e13)),
            ),
            "9.1.3 Procesos judiciales",
        ),
        _figures_sheet(),
    ),
)

FINANCIAL = Workbook(
    "estados_financieros.xlsx",
    "Estados financieros individuales (año del informe y año anterior) y ejecución presupuestal.",
    (
        Sheet(
            "Situación financiera",
            "Estado de situación financiera con su jerarquía de cuentas y cuentas de orden.",
            _statement_columns("Cuenta", with_variation=True, with_note=True),
            "9.10.3 Estado de situación financiera individual",
        ),
        Sheet(
            "Resultados",
            "Estado de resultados individual.",
            _statement_columns("Cuenta", with_variation=True, with_note=True),
            "9.10.3 Estado de resultados individual",
        ),
        Sheet(
            "Flujo de efectivo",
            "Estado de flujos de efectivo (método indirecto).",
            _statement_columns("Concepto", with_variation=False, with_note=False),
            "9.10.3 Estado de flujos de efectivo individual",
        ),
        Sheet(
            "Cambios en el patrimonio",
            "Estado de cambios en el patrimonio: saldos y movimientos por componente.",
            (
                _int("Orden", "count", "Orden de la fila en el estado publicado.", unique=True),
                _int("Periodo", "count", "Año al que corresponde la fila.", minimum=1900),
                _enum("Tipo de fila", EQUITY_ROW_KINDS, "Saldo inicial, movimiento o saldo final."),
                _text("Concepto", "Descripción de la fila."),
                _num("Capital fiscal", "cop", "Pesos."),
                _num("Resultados de ejercicios anteriores", "cop", "Pesos."),
                _num("Reservas", "cop", "Reserva de destinación específica, pesos."),
                _num("Resultado del ejercicio", "cop", "Excedente o déficit del ejercicio, pesos."),
                _num("Total publicado", "cop", "Total patrimonio publicado (solo para verificar).", required=False),
            ),
            "9.10.3 Estados de cambios en el patrimonio individual",
        ),
        Sheet(
            "Ejecución presupuestal",
            "Ejecución presupuestal de ingresos y gastos.",
            (
                _enum("Tipo", BUDGET_KINDS, "Ingresos o gastos."),
                _text("Código", "Identificador único del rubro.", unique=True),
                _text("Código padre", "Rubro que agrega a este; vacío en el total.", required=False),
                _text("Rubro", "Nombre del rubro."),
                _num("Presupuesto inicial", "cop", "Pesos.", minimum=0),
                _num("Adiciones", "cop", "Adiciones y traslados, pesos.", minimum=0),
                _num("Reducciones", "cop", "Pesos.", minimum=0),
                _num("Presupuesto definitivo", "cop", "Pesos.", minimum=0),
                _num("Ejecución", "cop", "Recaudos (ingresos) o ejecución (gastos), pesos.", minimum=0),
                _num("% publicado", "pct", "Porcentaje de ejecución publicado (solo para verificar).", required=False),
            ),
            "9.10.2 Ejecución presupuestal de ingresos y gastos",
        ),
        Sheet(
            "Indicadores publicados",
            "Indicadores financieros tal como se publicaron, para contrastarlos con los calculados.",
            (
                _enum("Indicador", FINANCIAL_INDICATORS, "Indicador financiero.", unique=True),
                _num("Valor publicado", "ratio", "Valor publicado (capital de trabajo en millones de pesos)."),
                _text("Unidad", "Unidad del valor publicado."),
            ),
            "9.10.4 Indicadores financieros",
        ),
    ),
)


STRATEGY = Workbook(
    "planeacion_estrategica.xlsx",
    "El marco estratégico de la ACI Medellín: su identidad (propósito inspirador, cómo lo hacemos, qué hacemos, "
    "eslogan, visión), los objetivos estratégicos (OE), los objetivos tácticos (OT) de cada uno y los resultados "
    "clave (KR) de cada objetivo táctico, con su trimestre y su estado en el año del informe.",
    (
        Sheet(
            "Marco",
            "Una fila por elemento de la identidad de la entidad, en el orden en que el informe los presenta.",
            (
                _catalog("Elemento", "Elemento del marco (propósito inspirador, cómo lo hacemos, qué hacemos, "
                         "eslogan, visión...).", unique=True),
                _text("Texto", "Texto del elemento tal como se publica (sin comillas alrededor)."),
            ),
            "Planeación estratégica: Propósito inspirador; Visión",
        ),
        Sheet(
            "Objetivos estratégicos",
            "Un objetivo estratégico (OE) por fila, con su nombre corto y su enunciado.",
            (
                _text("Código", "Identificador del objetivo estratégico (p. ej. OE1).", unique=True),
                _text("Nombre", "Nombre corto del objetivo (p. ej. Cooperación)."),
                _text("Descripción", "Enunciado del objetivo tal como se publica."),
            ),
            "Objetivos Estratégicos (OE) y Objetivos Tácticos y Resultados Claves (KR)",
        ),
        Sheet(
            "Objetivos tácticos",
            "Un objetivo táctico (OT) por fila; cada uno responde a un objetivo estratégico de la hoja «Objetivos "
            "estratégicos».",
            (
                _text("Código", "Identificador del objetivo táctico (p. ej. OE1.OT1).", unique=True),
                _text("Objetivo estratégico", "Código del objetivo estratégico al que responde (hoja «Objetivos "
                      "estratégicos»)."),
                _text("Descripción", "Enunciado del objetivo táctico tal como se publica."),
            ),
            "Objetivos Estratégicos (OE) y Objetivos Tácticos y Resultados Claves (KR)",
        ),
        Sheet(
            "Resultados clave",
            "Un resultado clave (KR) por fila: el objetivo táctico al que aporta, el trimestre en que se planeó y su "
            "estado en el año del informe. «Indicador del plan» lo liga, cuando corresponde, a un indicador de la "
            "hoja «Indicadores» de plan_desarrollo.xlsx.",
            (
                _text("Código", "Identificador del resultado clave (p. ej. OE1.OT2.KR1).", unique=True),
                _text("Objetivo táctico", "Código del objetivo táctico al que aporta (hoja «Objetivos tácticos»)."),
                _text("Resultado clave", "Resultado clave tal como se planeó."),
                _enum("Trimestre", QUARTERS, "Trimestre del año en que se planeó el resultado."),
                _catalog("Estado", "Estado del resultado clave en el año del informe; «Sin reporte» cuando la "
                         "entidad no ha reportado su estado."),
                _text("Indicador del plan", "Código del indicador del Plan de Desarrollo al que aporta (hoja "
                      "«Indicadores» de plan_desarrollo.xlsx); vacío si no aporta a ninguno.", required=False),
                _text("Observación", "Nota sobre el resultado o su estado (p. ej. la fuente, o por qué no hay "
                      "reporte).", required=False),
            ),
        ),
    ),
)


# The statement each role belongs to.
ROLE_SHEETS = {
    **{role: "Situación financiera" for role in (
        "activo_total", "activo_corriente", "efectivo", "pasivo_total", "pasivo_corriente", "patrimonio_total",
        "pasivo_mas_patrimonio", "capital_fiscal", "resultados_anteriores", "reservas", "resultado_ejercicio")},
    "excedente_neto": "Resultados",
    **{role: "Flujo de efectivo" for role in ("efectivo_inicial", "efectivo_final", "variacion_efectivo")},
}


def catalogs(spec: Workbook) -> dict[str, list[tuple[str, Column]]]:
    """Catalog name → the (sheet, column) pairs of ``spec`` whose allowed values it lists."""
    found: dict[str, list[tuple[str, Column]]] = {}
    for sheet in spec.sheets:
        for column in sheet.columns:
            if column.catalog:
                found.setdefault(column.catalog, []).append((sheet.name, column))
    return found


def _with_catalog_sheet(spec: Workbook) -> Workbook:
    """``spec`` plus its «Catálogos» sheet: one optional text column per catalog its sheets use."""
    names = catalogs(spec)
    if not names:
        return spec
    columns = tuple(
        _text(name, "Valores permitidos en " + ", ".join(f"«{sheet}» · {col.header}" for sheet, col in uses)
              + ". Agregue aquí un valor nuevo (uno por fila).", required=False)
        for name, uses in names.items()
    )
    sheet = Sheet(CATALOG_SHEET, "Catálogos del libro: los valores permitidos de las columnas con lista. Para "
                  "admitir un valor nuevo (un sector, un frente, una clave de cifra...) agréguelo en su columna.",
                  columns)
    return Workbook(spec.filename, spec.description, spec.sheets + (sheet,))


CONTRACT: tuple[Workbook, ...] = tuple(
    _with_catalog_sheet(wb) for wb in (PLAN, INVESTMENT, COOPERATION, POSITIONING, ADMINISTRATION, FINANCIAL, STRATEGY)
)


def workbook(filename: str) -> Workbook:
    """Return the contract of one workbook by file name."""
    for wb in CONTRACT:
        if wb.filename == filename:
            return wb
    raise KeyError(f"no workbook {filename!r} in the data contract")
