#!/usr/bin/env python
"""Write ``data/2022/planeacion_estrategica.xlsx``: ACI Medellín's strategic framework, as published.

Usage: python scripts/make_strategy_2022.py [--out data/2022/planeacion_estrategica.xlsx] [--seeds ../shared/seeds]

Every value is written out below, so the workbook regenerates without the seeds; when the seeds are
present, every text is first checked to occur in them verbatim (whitespace aside) and the script stops if
one does not. Sources (``data/2022/SOURCES.md`` has the details):

* ``informe-gestion-2022.txt``, lines 91-148 ("PLANEACIÓN ESTRATÉGICA"): the identity (propósito inspirador,
  cómo lo hacemos, qué hacemos, eslogan, visión), the five strategic objectives (OE) and their tactical
  objectives (OT), numbered as printed (OE1.OT1 is the first OT printed under OE1);
* ``planeacion-estrategia-2021.txt``, section 3.1 "Despliegue de objetivos estratégicos y tácticos" (lines
  250-305): the key results (KR) planned per tactical objective and quarter, one per bullet, in printed order.
  That table is organised by the 2021 objectives; ``ORIGIN`` says which 2021 row each 2022 OT takes its key
  results from (the same objective reworded). 2022 OTs without a 2021 row have no key results.

The 2022 report publishes no status for any key result, so every one is «Sin reporte» and its «Observación»
says where it comes from and that its status is not published. A key result is linked to a development-plan
indicator only where its wording is that indicator's (``PLAN_LINKS``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from informe.data.contract import CATALOG_SHEET, workbook
from informe.data.strategy import FRAMEWORK, KEY_RESULTS as KR_SHEET, OBJECTIVES as OE_SHEET, STRATEGY_FILE
from informe.data.strategy import TACTICAL as OT_SHEET
from informe.data.template import write_workbook
from informe.data.validation import validate_dir

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
REPORT_SEED, PLANNING_SEED = "informe-gestion-2022.txt", "planeacion-estrategia-2021.txt"

# Catalogs of the workbook: the elements of the identity and the statuses a key result may have.
ELEMENTS = ("Propósito inspirador", "Cómo lo hacemos", "Qué hacemos", "Eslogan", "Visión")
STATUSES = ("Cumplido", "En curso", "No cumplido", "Sin reporte")
NO_REPORT = "Sin reporte"

# «Marco»: informe-gestion-2022.txt l.99-108, without the quotation marks around the slogan and the vision
# (and without the unmatched closing quote the report prints after the propósito).
FRAMEWORK_TEXTS = {
    "Propósito inspirador": ("porque creemos en el poder de las alianzas con el mundo para lograr el desarrollo "
                             "sostenible y construir un mejor lugar para la gente."),
    "Cómo lo hacemos": ("a través de alianzas de cooperación e inversión, promoción de la ciudad región e "
                        "intercambio de conocimiento."),
    "Qué hacemos": "Impulsamos la internacionalización de la ciudad-región.",
    "Eslogan": "Creemos en el poder de las alianzas con el mundo para lograr el desarrollo sostenible",
    "Visión": ("Ser el actor líder de la internacionalización de la ciudad región posicionándola a nivel local e "
               "internacional y respondiendo de manera estratégica a los cambios del contexto global"),
}

# «Objetivos estratégicos»: informe-gestion-2022.txt l.116-148 (code: name, then the statement).
OBJECTIVES = {
    "OE1": ("Cooperación", "Articular el ecosistema de cooperación internacional de la ciudad-región para generar "
                           "valor a las acciones que aportan al desarrollo sostenible (agenda 2030)."),
    "OE2": ("Inversión", "Atraer y retener inversión nacional y extranjera al territorio que permita fortalecer "
                         "apuestas y encadenamientos productivos locales, para contribuir a la generación de empleo, "
                         "competitividad y desarrollo sostenible."),
    "OE3": ("Posicionamiento", "Situar a la ciudad-región como un actor estratégico en la agenda global gestionando "
                               "cooperación internacional y atrayendo inversión."),
    "OE4": ("Conocimiento e innovación", "Agregar valor a través del conocimiento para innovar y hacer más eficiente "
                                         "la gestión."),
    "OE5": ("Gestión Interna", "Crear un sistema de gestión institucional que potencie el logro del propósito de la "
                               "entidad."),
}

# «Objetivos tácticos»: the OT printed under each OE (informe-gestion-2022.txt l.117-148), in printed order.
TACTICAL = {
    "OE1": (
        "Internacionalizar al sector social fomentando las alianzas para el desarrollo.",
        "Gestionar recursos financieros y técnicos reembolsables y no reembolsables para la administración pública "
        "local.",
        "Movilizar las acciones de cooperación del sector privado para el desarrollo de la ciudad región.",
        "Consolidar a Medellín como referente de oferta de cooperación.",
    ),
    "OE2": (
        "Consolidar una estrategia de atracción proactiva de proyectos de inversión.",
        "Cuidar y retener los proyectos de inversión asentados en el territorio a través de la estrategia de "
        "after-care.",
        "Gestionar proyectos de inversión hacia nuestro territorio que apunten a la creación de nuevas zonas "
        "francas.",
        "Generar una dinámica de encuentros entre la oferta de proyectos locales con la inversión nacional y "
        "extranjera a través del banco de proyectos ACI.",
    ),
    "OE3": (
        "Impulsar las líneas estratégicas del Plan de Desarrollo de la ciudad en escenarios clave del contexto "
        "global.",
        "Fortalecer la diplomacia de ciudad con los diferentes públicos: empresas (diplomacia corporativa), ciudades "
        "y gobiernos, sociedad civil (Sos Paisa).",
        "Generar visibilidad de la ciudad-región en el mundo a través de las buenas prácticas y proyectos "
        "estratégicos.",
        "Consolidar a la ACI Medellín como referente local para la atracción y oferta de cooperación y la inversión "
        "en la ciudad.",
    ),
    "OE4": (
        "Crear, implementar y difundir el modelo de intercambio de conocimiento.",
        "Desarrollar la línea de productos de conocimiento de uso interno y acceso público.",
        "Consolidar la estrategia de gestión de datos e información.",
        "Crear e implementar un modelo de innovación.",
    ),
    "OE5": (
        "Fortalecer las capacidades y habilidades del personal de la ACI Medellín para la gestión técnica de la "
        "entidad. (Plan de capacitación, aplicabilidad del conocimiento y la réplica del mismo para generar "
        "capacidad instalada).",
        "Integrar las diferentes fuentes y herramientas de información en una sola, para facilitar la labor de los "
        "servidores y la gestión de la memoria institucional. (intranet o ERP como único repositorio).",
        "Reforzar una cultura institucional que facilite el intercambio de conocimiento, comunicación y sentido de "
        "pertenencia al interior de la entidad.",
    ),
}

# Key results: planeacion-estrategia-2021.txt, section 3.1. For each 2022 OT, the table of section 3.1 and the
# 2021 tactical objective (as printed in that table) whose row its key results come from. Not taken: the
# Inversión row "Atraer empresas ancla al territorio" (no 2022 OT rewords it) and the teams' work plans of
# section 3.2 (their objectives are not OTs of the framework).
ORIGIN = {
    "OE1.OT1": ("Cooperación",
                "Apoyar al sector social a internacionalizarse fomentando las alianzas para el desarrollo."),
    "OE1.OT2": ("Cooperación",
                ("Gestionar recursos financieros, técnicos y humanos para impulsar los proyectos y programas del "
                 "plan de desarrollo.")),
    "OE1.OT3": ("Cooperación", "Fortalecer el desarrollo de proyectos de ciudad con recursos público-privados."),
    "OE2.OT1": ("Inversión",
                "Consolidar una estrategia para la gestión proactiva y eficiente de proyectos de inversión."),
    "OE2.OT2": ("Inversión", "Diseñar el servicio de after-care con las empresas que llegan a la ciudad - región."),
    "OE3.OT1": ("Posicionamiento",
                ("Impulsar las líneas estratégicas del Plan de Desarrollo de la ciudad en el contexto global "
                 "(escenarios clave).")),
    "OE3.OT2": ("Posicionamiento", "Fortalecer la diplomacia de ciudad."),
    "OE3.OT3": ("Posicionamiento",
                "Generar visibilidad de las buenas prácticas de ciudad a nivel nacional e internacional."),
    "OE3.OT4": ("Posicionamiento",
                ("Consolidar a la ACI Medellín como referente local para la atracción y oferta de cooperación y la "
                 "inversión en la ciudad. (incluye el conglomerado, otros aliados y la ciudadanía, etc)")),
    "OE4.OT1": ("Conocimiento", "Crear e implementar un modelo de intercambio de conocimiento para ACI Medellín."),
    "OE4.OT2": ("Conocimiento",
                "Desarrollar la línea de productos de conocimiento de acceso público de la ACI Medellín."),
    "OE4.OT3": ("Conocimiento", "Consolidar la estrategia de gestión de datos e información."),
    "OE4.OT4": ("Conocimiento", "Crear un modelo de innovación para ACI."),
    "OE5.OT1": ("Gestión interna",
                ("Potenciar las capacidades y habilidades del personal de la ACI Medellín para la gestión técnica de "
                 "la entidad.")),
    "OE5.OT2": ("Gestión interna",
                ("Integrar las diferentes fuentes de información en una sola para facilitar la labor de los "
                 "colaboradores, así como la gestión de la memoria institucional.")),
    "OE5.OT3": ("Gestión interna",
                ("Reforzar una cultura organizacional que facilite el intercambio de conocimiento, la comunicación "
                 "asertiva, el sentido de pertenencia (no del proceso) al interior de la entidad.")),
}
KEY_RESULTS = {
    "OE1.OT1": {
        "Q1": (
            "Formación: Contenidos de formación definidos. (Avanzadas-menos avanzadas).",
            "Marco general de gestión de recursos (Crowdfunding/Fundraising/Cooperación internacional).",
            "Programa de formación diseñado.",
            ("Fortalecimiento en cooperación y gestión de recursos: Programa piloto de apoyo a las organizaciones "
             "sociales para la cooperación al desarrollo diseñado."),
            ("Fortalecimiento en cooperación y gestión de recursos: Criterios para seleccionar las 10 organizaciones "
             "sociales que se van a fortalecer."),
            ("Fortalecimiento en cooperación y gestión de recursos: Diagnóstico de conocimiento de cooperación para "
             "el desarrollo."),
            ("Fortalecimiento en cooperación y gestión de recursos: Incurción en nuevas tendencias globales y "
             "alianzas público-privadas."),
            ("Reporte y gestión de información-datos: Cuántos recursos técnicos y financieros que pusieron los "
             "estados, la filantropía y los ciudadanos."),
            ("Reporte y gestión de información-datos: Definir cómo vamos a llegar a ¿Cómo hacer seguimiento a los "
             "recursos y en dónde nos reportan?"),
            "Reporte y gestión de información-datos: Datos centralizados del universo de las OSC en Medellín-Región",
            "Alianzas y trabajo colaborativo: Nuevos aliados gestionados por la ciudad.",
            ("Alianzas y trabajo colaborativo: Ecosistema de trabajo con actores que fortalecen a las ESALES "
             "identificado."),
        ),
        "Q2": (
            "Ruta validada con expertos para alimentar el proceso.",
            "Programa de apoyo a OSC ajustado.",
            "Alianzas concretadas con proveedores y aliados.",
            "Aprendizajes documentados. Plataforma de formación lanzada y en uso.",
            "Lanzamiento del programa de apoyo a organizaciones sociales para la cooperación al desarrollo.",
        ),
        "Q3": (
            "10 Organizaciones sociales seleccionadas",
            "Aprendizajes documentados",
        ),
        "Q4": (
            "10 Organizaciones con capacidades instaladas en gestión de recursos de cooperación.",
            "Gestionar datos sobre gestión de recursos de cooperación desde las OSC.",
            "Aprendizajes documentados.",
        ),
    },
    "OE1.OT2": {
        "Q1": (
            "Proyectos impactados con los montos gestionados.",
            "Nuevos aliados gestionados por la ciudad.",
            "Beneficiar personas con proyectos de cooperación para la ciudad.",
            "Alianzas de cooperación con aliados en donde Medellín sea oferente.",
            "Portafolio de proyectos priorizados por las Secretarías.",
            "Oportunidades de cooperación identificadas",
            "Plan de Relacionamiento consolidado. Plan de formación para puntos focales definido",
            ("Construcción de las piezas comunicacionales (presentaciones, etc) necesarias para la promoción de "
             "proyectos."),
            "Comunicación de lineamientos con secretarios y puntos focales.",
        ),
        "Q2": (
            "Match entre proyectos ACI y los intereses de los cooperantes.",
            ("Identificación de proyectos (Banco de Proyectos de Inversión), susceptibles de cooperación "
             "internacional."),
            ("Agendas vis á vis definidas de los proyectos (promoción) priorizados (Realizar agendas paralelas "
             "durante las comisiones de trabajo)."),
            ("Planes de trabajo (después de Agenda institucional) consolidados y con acciones de seguimiento "
             "concretas."),
        ),
        "Q3": (
            ("Agendas vis á vis definidas de los proyectos (promoción) priorizados (Realizar agendas paralelas "
             "durante las comisiones de trabajo)."),
            "Consolidación del sistema de puntos focales para el trabajo en red.",
            ("Planes de trabajo (después de Agenda institucional) consolidados y con acciones de seguimiento "
             "concretas"),
        ),
        "Q4": (
            ("Identificación de proyectos (Banco de Proyectos de Inversión), susceptibles de cooperación "
             "internacional."),
            ("Planes de trabajo (después de Agenda institucional) consolidados y con acciones de seguimiento "
             "concretas."),
            "Cumplimiento de la meta de cooperación de 2021 y 20222.",
        ),
    },
    "OE1.OT3": {
        "Q1": (
            ("Metodología para trabajar con el sector privado en la financiación para el desarrollo (RSE) en la "
             "ciudad-región."),
            "Proyectos mapeados de la ciudad región para trabajar con el sector privado.",
            ('Estrategia de "Diplomacia Corporativa" incorporada en el plan de relacionamiento de la entidad '
             "(posicionamiento)."),
            "Mecanismo de reporte de acciones de RSE en los indicadores de montos de cooperación definido.",
            "Estudio del mecanismo de cooperación de Bonos de Impacto Social, como Agencia.",
            "Socializar el mecanismo del Bono de Impacto Social con la Alcaldía de Medellín.",
            ("Entrar en relacionamiento con el BID Lab para conocer su interés de participar en un Bono de Impacto "
             "Social para Medellín y Antioquia."),
            ("Entrar en relacionamiento con el DPS para conocer su interés de apoyar un Bono de Impacto Social en "
             "Medellín y Antioquia."),
        ),
        "Q2": (
            ("Metodología para trabajar con el sector privado en la financiación para el desarrollo (RSE) en la "
             "ciudad-región implementada."),
            ("Productos de los proyectos priorizados de la ciudad-región para ofrecer a los actores del sector "
             "privado: Fichas de Proyectos, Narrativa, Videos, Testimonios."),
            ("Actores del sector privado extranjero (primero comenzar con éste) y locales, identificados con "
             "intereses afines a la ciudad."),
            ("Metodología para trabajar en tripartita con las ONGs, el sector privado y el sector público para "
             "proyectos de cooperación de la ciudad-región."),
            "Relacionamiento con los actores identificados con una oferta de inversión social.",
            "Socializar el mecanismo del Bono de Impacto Social con la Alcaldía de Medellín.",
            "Definir el proyecto que se propondría para el Bono de Impacto Social.",
            ("Identificar posibles aliados del sector privado, firmas consultoras y ONGs para trabajar en Bonos de "
             "Impacto Social."),
            "Establecer relación con todos los actores priorizados para la definición de un Bono de Impacto Social.",
        ),
        "Q3": (
            "Relacionamiento con los actores identificados con una oferta de inversión social.",
            ("Implementación de la metodología para trabajar en tripartita con las ONGs, el sector privado y el "
             "sector público para proyectos de cooperación de la ciudad-región."),
            ("Identificar posibles aliados del sector privado, firmas consultoras y ONGs para trabajar en Bonos de "
             "Impacto Social."),
            "Establecer relación con todos los actores priorizados para la definición de un Bono de Impacto Social.",
        ),
        "Q4": (
            "Relacionamiento con los actores identificados con una oferta de inversión social.",
            "1 proyecto o acuerdo fortalecido con recursos público-privados.",
            ("Firmar un Acuerdo de Voluntades para estructurar un Bono de Impacto Social en 2022 para la "
             "ciudad-región."),
        ),
    },
    "OE2.OT1": {
        "Q1": (
            "Sectores categorizados entre proactivos y reactivos (Greenfield).",
            "Motivaciones de los inversionistas para llegar al territorio identificadas.",
            "Alianzas concretadas para la activación de una visión atractiva de la ciudad cultural, económica",
            "Narrativa y discurso alineado.",
            "Banco de proyectos socializado con todo el equipo (Brownfield).",
        ),
        "Q2": (
            "Portafolio de convenios de servicios a inversionistas.",
            "Eslabones débiles de la cadena identificados.",
            "Target definido de empresas que pueden fortalecer los ecosistemas económicos en Medellín-región.",
            ("Perfilar los documentos, contenidos y presentaciones de inversión para darle ese foco de mercadeo que "
             "se necesita para vender cada sector y la ciudad (Comunicaciones + agencias)."),
            "Criterios para la integración de proyectos en el BP.",
            "Información solicitada a las empresas privadas definida.",
            "Fondos de inversión que busquen aumentar su pipeline identificados.",
            "Versión final del portafolio por sectores.",
            "Propuesta de valor diferenciada por sector de inversión.",
        ),
        "Q3": (
            "Estrategia construida para convocar y mercadear los proyectos del BP.",
        ),
        "Q4": (
            "Eslabones débiles identificados.",
            "Narrativa estandarizada y funcionando.",
            "Metodología para trabajar y abordar a las empresas establecida.",
            "Espacio de matching-ruedas de inversión creado.",
            "Consolidación del frente de inversión de la ACI.",
            "Operación estructurada del proceso.",
        ),
    },
    "OE2.OT2": {
        "Q1": (
            "Instalados identificados con visita planeada de acuerdo a su estado.",
        ),
        "Q2": (
            ("Necesidades identificadas a través de las visitas a instalados, haciendo énfasis en la información "
             "sobre la conducta del gobierno y los obstáculos para la inversión."),
            "Información consolidada para dar feedback a los procesos de ACI.",
            "Oferta de ACI para los instalados actualizada.",
        ),
        "Q3": (
            "Estrategia de retención y expansión.",
            "Estrategia de networking.",
            "Estrategia de match making ¿Hasta dónde podemos llegar?.",
            "Oferta de ACI para los instalados actualizada.",
        ),
        "Q4": (
            "Oferta de ACI para los instalados actualizada.",
        ),
    },
    "OE3.OT1": {
        "Q1": (
            ("Proyectos priorizados del Plan de Desarrollo mapeados (Eco-ciudad, Medellín me cuida, Reactivación "
             "económica y Valle del Software, Transformación educativa y cultural, gobernanza y gobernabilidad)."),
            "Actualizar el discurso ¿Por qué MED?",
        ),
        "Q2": (
            "Socializar el discurso ¿Por qué MED?",
        ),
        "Q3": (
            "Socializar el discurso ¿Por qué MED?",
        ),
        "Q4": (
            "Socializar el discurso ¿Por qué MED?",
        ),
    },
    "OE3.OT2": {
        "Q1": (
            "Espacios internacionales estratégicos para Medellín mapeados.",
            "Brief de participaciones diseñado.",
            "Estrategia de representantes de Medellín en el exterior diseñada.",
            "Experiencia Barcelona validada.",
        ),
        "Q2": (
            "Diseñar la estrategia de representantes de Medellín en el exterior.",
            "Construir el plan 'Traer el mundo a Medellín' y realizar su primera actividad.",
        ),
        "Q3": (
            "Implementar la estrategia de representantes de Medellín en el exterior.",
            "Realizar la segunda actividad de 'Traer el mundo a Medellín'.",
        ),
        "Q4": (
            "Realizar la tercera actividad de 'Traer el mundo a Medellín'.",
        ),
    },
    "OE3.OT3": {
        "Q1": (
            "Protocolo de documentación de buenas prácticas.",
            "Buenas prácticas de la ciudad mapeadas.",
            "Espacios propicios para la difusión de las buenas prácticas identificados.",
        ),
        "Q2": (
            "Mapear buenas prácticas de la ciudad.",
            "Identificar los espacios propicios para la difusión de las buenas prácticas.",
            "Diseñar la ruta para la visibilidad en la difusión de buenas prácticas.",
            "Fortalecer las habilidades de los voceros de las buenas prácticas.",
            "Buscar recursos de cooperación técnica para hacer sostenible la sistematización de buenas prácticas.",
        ),
        "Q3": (
            "Mapear buenas prácticas de la ciudad.",
            "Identificar los espacios propicios para la difusión de las buenas prácticas.",
        ),
        "Q4": (
            "Mapear buenas prácticas de la ciudad.",
            "Identificar los espacios propicios para la difusión de las buenas prácticas.",
        ),
    },
    "OE3.OT4": {
        "Q1": (
            "Diagnóstico del posicionamiento de la entidad en la ciudad-región.",
            "Plan de relacionamiento, mercadeo y comunicaciones diseñados.",
            "Portafolio-oferta de la entidad consolidado.",
        ),
        "Q2": (
            ("Implementar el plan de mercadeo y comunicaciones (redes sociales, lineamiento gráfico, página web, "
             "eventos propios...) incorporando la narrativa de ciudad 'Traer el mundo a MED'."),
            ("Implementar el plan de relacionamiento con las secretarías y entidades del conglomerado público, el "
             "gobierno nacional, el sector privado, la academia y los actores internacionales."),
            "Socializar y vender el portafolio de la ACI Medellín.",
        ),
        "Q3": (
            "Hacer seguimiento a la implementación del plan de relacionamiento , mercadeo y comunicaciones .",
            "Socializar y vender el portafolio de la ACI Medellín.",
        ),
        "Q4": (
            "Ajustar los planes para el 2022.",
            "Socializar y vender el portafolio de la ACI Medellín.",
        ),
    },
    "OE4.OT1": {
        "Q1": (
            "Formular el alcance del modelo de intercambio de conocimiento, haciendo énfasis en inversión.",
            ("Definir el modelo de intercambio del conocimiento, sus temporalidades de ejecución y su alineación con "
             "la cooperación COL-COL y Sur-Sur."),
            ("Caracterización de los actores de la ACI, y así evaluar con qué aliados se producirá información de "
             "consulta pública."),
            ("Iniciativa para recopilar información de buenas prácticas del conglomerado público en cooperación e "
             "inversión."),
            "Definir la ruta de actualización de al menos 3 documentos estratégicos.",
        ),
        "Q2": (
            "Definir el proceso de intercambio de conocimiento. Modelo ACI en un documento borrador.",
            "Definir el modelo de trabajo de oferta y demanda.",
        ),
        "Q3": (
            "Construir el inventario de proyectos estratégicos del conglomerado.",
            "Construir iniciativa para recopilar información de buenas prácticas del conglomerado público.",
            "Sistematizar 4 buenas prácticas del conglomerado público.",
            "Validar el modelo de intercambio de conocimiento con el equipo de la ACI Medellín.",
        ),
        "Q4": (
            "Lanzar iniciativa de divulgación de buenas prácticas para potenciar la internacionalización.",
            "El modelo de intercambio de conocimiento de la ACI está sistematizado y documentado.",
        ),
    },
    "OE4.OT2": {
        "Q1": (
            ("Producto de conocimiento resultado de los eventos (verificar si fichas o one pager son de conocimiento "
             "público)."),
            "Productos de conocimiento que desarrollará la ACI anualmente.",
            "Modelo ACI documentado.",
        ),
        "Q2": (
            "Crear materiales propios de conocimiento para compartir con aliados y grupos de interés.",
            "Definir qué productos de conocimiento desarrollará la ACI anualmente.",
            "Documentar el modelo ACI.",
        ),
        "Q3": (
            "Desarrollar y producir los documentos definidos.",
            "Hacer uso de herramientas como podcast, entrevistas para contar sobre la ACI.",
            "Tener al menos 1 documento de conocimiento público con un aliado definido en el Q1.",
            "Documentar el modelo ACI.",
        ),
        "Q4": (
            "Construir un portafolio/ fichas de gestión de nuestros conocimientos hacia afuera.",
            "Publicar al menos un documento de consulta pública.",
            "Documentar el modelo ACI.",
            "2022 - Tener una comunidad de práctica",
        ),
    },
    "OE4.OT3": {
        "Q1": (
            ("Lineamientos de la estrategia definidos, estableciendo las diferencias entre conocimiento e "
             "información."),
            "Uso de salesforce optimizado",
            ("Mecanismo de gestión de datos que centralice el acceso a la memoria institucional, la información y "
             "accesos"),
        ),
        "Q2": (
            "Establecer los procedimientos para gestionar la información y los datos.",
            "Optimizar la página web y así facilitar el acceso a la información y el conocimiento.",
            "Realizar capacitaciones en Salesforce.",
        ),
        "Q3": (
            "Ejecutar la estrategia.",
            "Optimizar la página web como fuente principal de información y conocimiento.",
            "Validar la experiencia del usuario (UX).",
        ),
        "Q4": (
            "Contar con una visión 2.0 de la página web.",
            "Tener bases de datos y repositorio de información.",
            "Tener los procedimientos para la recolección análisis y visualización de la información.",
            "2022 - Tener una comunidad de práctica",
        ),
    },
    "OE4.OT4": {
        "Q1": (
            "Modelo de innovación definido y delimitado.",
            "Definición compartida de la innovación en la ACI.",
            "Espacios internos de conocimiento para fomentar la cultura de la innovación.",
        ),
        "Q2": (
            "Alinear con comunicación es internas: Contar lo innovador que ya estamos haciendo.",
            "Fomentar la cultura de la innovación a través de espacios internos de conocimiento.",
        ),
        "Q3": (
            ("Lograr la apropiación del modelo por parte de los miembros de la ACI (todos entendemos qué es innovar "
             "en ACI Medellín)."),
            "Fomentar la cultura de la innovación a través de espacios internos de conocimiento.",
        ),
        "Q4": (
            ("Lograr la apropiación del modelo por parte de los miembros de la ACI (todos entendemos qué es innovar "
             "en ACI Medellín)."),
            "Fomentar la cultura de la innovación a través de espacios internos de conocimiento.",
        ),
    },
    "OE5.OT1": {
        "Q1": (
            ("Asignación de recursos a Talento Humano (vía tercerización o personal adicional según posibilidades) "
             "que permita ampliar las capacidades operativas actuales del responsable."),
            "Hipótesis (conocimiento críticos) del modelo de gestión interna (direccionamiento estratégico con TH)",
        ),
        "Q2": (
            ("Diagnosticar las capacidades y habilidades del personal de la ACI Medellín para la gestión técnica de "
             "la entidad. (evidenciar los baches)"),
            "Generan estrategias (plan de acción) y sistema de evaluación",
        ),
        "Q3": (
            "Implementación y evaluación.",
            "Identificación de la evidencia del esfuerzo al interior de la entidad.",
        ),
    },
    "OE5.OT2": {
        "Q1": (
            "Realizar un diagnóstico de las fuentes de información existentes en la ACI Medellín.",
            "Contratación y proceso de empalme en gestión documental.",
        ),
        "Q2": (
            ("Analizar posibles alianzas estratégicas para suplir acciones del componente (EPM) software libre, RUTA "
             "N - transformación digital"),
            ("Asignar recursos a Talento Humano (vía tercerización o personal adicional según posibilidades) que "
             "permita ampliar las capacidades operativas actuales del responsable."),
        ),
        "Q3": (
            ("Generan estrategias (plan de acción) y sistema de evaluación idealmente con el aliado (Transferencia "
             "de conocimiento y tecnología)"),
        ),
    },
    "OE5.OT3": {
        "Q1": (
            "Retos de aprendizaje definidos para la inducción del personal.",
            "Procesos formales de mentoría, entrenamiento y tutoría.",
            "Piloto de metodologías.",
        ),
        "Q2": (
            "Retos de aprendizaje (inducción)",
            "Estandarizar las sesiones mínimas de inducción para el personal nuevo. Hacer un piloto de metodologías.",
            "Socializar esos procesos con Directores y con los profesionales Senior.",
            "Realizar un proceso de formación básica ¿Qué es ser mentor?",
        ),
        "Q3": (
            "Retos de aprendizaje (inducción)",
            "Inicio de acciones de mentoría con equipos",
        ),
        "Q4": (
            "Retos de aprendizaje (inducción)",
        ),
    },
}

# Group headings inside a bullet list of the 2021 table: kept as the prefix of each key result under them.
HEADINGS = ("Fortalecimiento en cooperación y gestión de recursos:", "Reporte y gestión de información-datos:",
            "Alianzas y trabajo colaborativo:")

# (OT, quarter, key result) → the development-plan indicator it is (plan_desarrollo.xlsx «Indicadores»).
PLAN_LINKS = {
    ("OE1.OT2", "Q1", "Proyectos impactados con los montos gestionados."): "PI-08",
}


def observation(ot: str, quarter: str) -> str:
    table = ORIGIN[ot][0]
    return (f"Planeado en «Planeación y estrategia 2021» (3.1, {table}, {quarter}); el Informe de Gestión 2022 no "
            "publica el estado de este resultado clave.")


def sheets() -> dict[str, pd.DataFrame]:
    """The workbook's sheets, as {sheet name: rows}."""
    framework = pd.DataFrame({"Elemento": list(FRAMEWORK_TEXTS), "Texto": list(FRAMEWORK_TEXTS.values())})
    objectives = pd.DataFrame([{"Código": code, "Nombre": name, "Descripción": text}
                               for code, (name, text) in OBJECTIVES.items()])
    tactical = pd.DataFrame([{"Código": f"{oe}.OT{i}", "Objetivo estratégico": oe, "Descripción": text}
                             for oe, texts in TACTICAL.items() for i, text in enumerate(texts, start=1)])
    results = []
    for ot, quarters in KEY_RESULTS.items():
        number = 0
        for quarter, texts in quarters.items():
            for text in texts:
                number += 1
                results.append({"Código": f"{ot}.KR{number}", "Objetivo táctico": ot, "Resultado clave": text,
                                "Trimestre": quarter, "Estado": NO_REPORT,
                                "Indicador del plan": PLAN_LINKS.get((ot, quarter, text)),
                                "Observación": observation(ot, quarter)})
    catalogs = pd.DataFrame({"Elemento": pd.Series(ELEMENTS), "Estado": pd.Series(STATUSES)})
    return {FRAMEWORK: framework, OE_SHEET: objectives, OT_SHEET: tactical, KR_SHEET: pd.DataFrame(results),
            CATALOG_SHEET: catalogs}


# ---------------------------------------------------------------- checking the texts against the seeds

def _cells(text: str) -> list[str]:
    """The seed's text pieces: table cells (tab-separated) without their HTML tags, whitespace collapsed."""
    pieces = []
    for line in text.splitlines():
        for cell in line.split("\t"):
            cell = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            if cell:
                pieces.append(cell)
    return pieces


def _found(text: str, cells: list[str]) -> bool:
    """``text`` occurs in one piece, or is the end of one piece followed by the start of another (a table
    row continued after a page break)."""
    if any(text in cell for cell in cells):
        return True
    words = text.split(" ")
    for i in range(1, len(words)):
        head, tail = " ".join(words[:i]), " ".join(words[i:])
        if any(cell.endswith(head) for cell in cells) and any(cell.startswith(tail) for cell in cells):
            return True
    return False


def seed_mismatches(seeds: Path) -> list[str]:
    """Every text of the workbook that does not occur verbatim in its seed (empty: all found)."""
    report = _cells((seeds / REPORT_SEED).read_text(encoding="utf-8"))
    planning = _cells((seeds / PLANNING_SEED).read_text(encoding="utf-8"))
    expected = [(text, report) for text in FRAMEWORK_TEXTS.values()]
    expected += [(text, report) for _, text in OBJECTIVES.values()]
    expected += [(text, report) for texts in TACTICAL.values() for text in texts]
    expected += [(text, planning) for _, text in ORIGIN.values()]
    for quarters in KEY_RESULTS.values():
        for texts in quarters.values():
            for text in texts:
                heading = next((h for h in HEADINGS if text.startswith(h + " ")), None)
                if heading:
                    expected += [(heading, planning), (text[len(heading) + 1:], planning)]
                else:
                    expected.append((text, planning))
    return [text for text, cells in expected if not _found(text, cells)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "2022" / STRATEGY_FILE)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    args = parser.parse_args()
    if (args.seeds / REPORT_SEED).exists() and (args.seeds / PLANNING_SEED).exists():
        missing = seed_mismatches(args.seeds)
        if missing:
            raise SystemExit("not in the seeds:\n" + "\n".join(missing))
        print(f"every text found in {args.seeds}")
    else:
        print(f"seeds not found in {args.seeds}: texts not checked against them")
    write_workbook(workbook(STRATEGY_FILE), args.out, sheets())
    problems = [p for p in validate_dir(args.out.parent).all_problems if p.file == STRATEGY_FILE]
    for problem in problems:
        print(problem)
    print(f"wrote {args.out}: {len(problems)} problems")
    if any(p.is_error for p in problems):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
