"""The words of the output in English, Russian and Uzbek (Latin script).

The results workbook's sheet titles, column headers, the Brief, chart titles and the console
summary of ``planner solve`` are said in the language of ``--lang`` (or ``Settings.language``).
Ids, the workbook contract and text that came from the input (names, units) stay as written.

Every entry holds all three languages (a test checks it). English headers are the columns'
own names (the documented names of the results workbook's columns, which tests and scripts
read); Russian and Uzbek headers are looked up by name, then by the patterns of
:data:`PATTERNS` for columns named after data (``paid dev_bank 2030``, ``gain grp``); a column
with neither keeps its name.

Numbers in sentences are written the way each language writes them: 3,715.1 in English,
3 715,1 in Russian and Uzbek (:func:`number`).
"""

from __future__ import annotations

import math
import re

LANGUAGES = ("en", "ru", "uz")
DEFAULT_LANGUAGE = "en"

# key -> (English, Russian, Uzbek)
Entry = tuple[str, str, str]

#: Sheet titles of the results workbook (at most 31 characters, no []:*?/\).
SHEETS: dict[str, Entry] = {
    "Brief": ("Brief", "Справка", "Qisqacha"),
    "Summary": ("Summary", "Сводка", "Umumiy"),
    "Plan": ("Plan", "План", "Reja"),
    "Spending": ("Spending", "Расходы", "Xarajatlar"),
    "Goals": ("Goals", "Цели", "Maqsadlar"),
    "Regions": ("Regions", "Регионы", "Hududlar"),
    "Allocation": ("Allocation", "Распределение", "Taqsimot"),
    "Map": ("Map", "Карта", "Xarita"),
    "Clusters": ("Clusters", "Кластеры", "Klasterlar"),
    "Transport": ("Transport", "Транспорт", "Transport"),
    "Partners": ("Partners", "Партнёры", "Hamkorlar"),
    "Equity": ("Equity", "Равенство", "Tenglik"),
    "Diagnosis": ("Diagnosis", "Диагноз", "Tashxis"),
    "Marginal": ("Marginal", "Ценность денег", "Pul qiymati"),
}

#: Column headers (Russian and Uzbek; English is the column's name).
HEADERS: dict[str, Entry] = {
    "item": ("item", "показатель", "koʻrsatkich"),
    "value": ("value", "значение", "qiymat"),
    "project": ("project", "проект", "loyiha"),
    "name": ("name", "название", "nomi"),
    "start": ("start", "начало", "boshlanishi"),
    "tranches": ("tranches", "очереди", "navbatlar"),
    "complete_from": ("complete_from", "готов с", "tayyor boʻladi"),
    "share": ("share", "доля", "ulush"),
    "region": ("region", "регион", "hudud"),
    "kind": ("kind", "вид", "turi"),
    "total_cost": ("total_cost", "полная стоимость", "toʻliq qiymati"),
    "own_cost": ("own_cost", "из своих фондов", "oʻz fondlaridan"),
    "partner_money": ("partner_money", "деньги партнёров", "hamkorlar mablagʻi"),
    "partner": ("partner", "партнёр", "hamkor"),
    "funds": ("funds", "фонды", "fondlar"),
    "fund": ("fund", "фонд", "fond"),
    "scope": ("scope", "охват", "qamrov"),
    "year": ("year", "год", "yil"),
    "budget": ("budget", "бюджет", "byudjet"),
    "used": ("used", "использовано", "ishlatilgan"),
    "construction": ("construction", "строительство", "qurilish"),
    "running": ("running", "содержание", "saqlash"),
    "debt_service": ("debt_service", "обслуживание долга", "qarzga xizmat"),
    "cost_base_year": ("cost_base_year", "стоимость в ценах базового года", "bazaviy yil narxlarida qiymati"),
    "sunk_cost": ("sunk_cost", "уже оплачено до горизонта", "gorizontgacha toʻlangan"),
    "running_cost": ("running_cost", "содержание в год", "yillik saqlash"),
    "unused": ("unused", "не использовано", "ishlatilmagan"),
    "available": ("available", "доступно", "mavjud"),
    "share used": ("share used", "доля использования", "ishlatilgan ulushi"),
    "carried_over": ("carried_over", "остаток на конец года", "yil oxiridagi qoldiq"),
    "carry_over": ("carry_over", "переносится", "keyingi yilga oʻtadi"),
    "can_help": ("can_help", "может помочь", "foyda bera oladi"),
    "goal": ("goal", "цель", "maqsad"),
    "indicator": ("indicator", "показатель", "koʻrsatkich"),
    "sense": ("sense", "знак", "belgi"),
    "target": ("target", "цель (уровень)", "maqsad darajasi"),
    "achieved": ("achieved", "достигнуто", "erishilgan"),
    "shortfall": ("shortfall", "недостача", "yetishmovchilik"),
    "met": ("met", "выполнена", "bajarildi"),
    "priority": ("priority", "приоритет", "ustuvorlik"),
    "hard": ("hard", "жёсткая", "qatʼiy"),
    "basis": ("basis", "основа", "asos"),
    "baseline": ("baseline", "исходный уровень", "boshlangʻich daraja"),
    "end": ("end", "в конце", "oxirida"),
    "efficient": ("efficient", "эффективный план", "samarali reja"),
    "fair": ("fair", "справедливый план", "adolatli reja"),
    "written_target": ("written_target", "цель как записана", "yozilgan maqsad"),
    "progress": ("progress", "прогресс", "bajarilish"),
    "moved_by": ("moved_by", "за счёт", "hissa qoʻshganlar"),
    "candidates": ("candidates", "другие кандидаты", "boshqa nomzodlar"),
    "why_missed": ("why_missed", "почему не выполнена", "nega bajarilmadi"),
    "what_it_would_take": ("what_it_would_take", "что нужно для выполнения", "bajarish uchun nima kerak"),
    "change": ("change", "изменение", "oʻzgarish"),
    "change_pct": ("change_pct", "изменение, %", "oʻzgarish, %"),
    "population": ("population", "население", "aholi"),
    "population_share": ("population_share", "доля населения", "aholi ulushi"),
    "invested": ("invested", "вложено", "sarmoya"),
    "invested_share": ("invested_share", "доля вложений", "sarmoya ulushi"),
    "benefit": ("benefit", "выгода", "foyda"),
    "cluster": ("cluster", "кластер", "klaster"),
    "model": ("model", "в модели", "modelda"),
    "true": ("true", "по сети", "tarmoq boʻyicha"),
    "difference": ("difference", "разница", "farq"),
    "amount": ("amount", "сумма", "summa"),
    "measure": ("measure", "мера", "oʻlchov"),
    "part": ("part", "часть", "qism"),
    "rule": ("rule", "правило", "qoida"),
    "where": ("where", "где", "qayerda"),
    "text": ("text", "текст", "matn"),
    "note": ("note", "примечание", "izoh"),
    "balance": ("balance", "остаток", "qoldiq"),
    "binding": ("binding", "ограничивает", "cheklaydi"),
    "local_stage": ("local_stage", "этап (локально)", "bosqich (mahalliy)"),
    "local_per_money": ("local_per_money", "на единицу денег (локально)", "pul birligiga (mahalliy)"),
    "step": ("step", "шаг", "qadam"),
    "stage": ("stage", "этап", "bosqich"),
    "per_money": ("per_money", "на единицу денег", "pul birligiga"),
    "gain_per_money": ("gain_per_money", "выигрыш на единицу денег", "pul birligiga yutuq"),
    "status": ("status", "статус", "holat"),
    "effects": ("effects", "влияние на цели", "maqsadlarga taʼsiri"),
    "region_name": ("region_name", "регион", "hudud"),
    "baseline_per_capita": ("baseline_per_capita", "исходно на душу", "boshida aholi boshiga"),
    "end_per_capita": ("end_per_capita", "в конце на душу", "oxirida aholi boshiga"),
    "gain_per_capita_efficient": ("gain_per_capita_efficient", "прирост на душу (эффективный план)",
                                  "aholi boshiga oʻsish (samarali reja)"),
    "gain_per_capita_fair": ("gain_per_capita_fair", "прирост на душу (справедливый план)",
                             "aholi boshiga oʻsish (adolatli reja)"),
}

#: Headers named after data: a pattern on the column's name and its label with the pattern's groups.
PATTERNS: tuple[tuple[str, Entry], ...] = (
    (r"^gain per ([\d,]+) persons (efficient|fair)$", ("gain per {0} persons {1}", "прирост на {0} человек: {1}",
                                                     "{0} kishiga oʻsish: {1}")),
    (r"^paid (.+) (\d{4})$", ("paid {0} {1}", "оплачено {0} {1}", "toʻlangan {0} {1}")),
    (r"^gain (.+)$", ("gain {0}", "прирост {0}", "oʻsish {0}")),
    (r"^invested per person \((.+)\)$", ("invested per person ({0})", "вложено на человека ({0})",
                                         "bir kishiga sarmoya ({0})")),
    (r"^invested per ([\d,]+) persons \((.+)\)$", ("invested per {0} persons ({1})",
                                                   "вложено на {0} человек ({1})",
                                                   "{0} kishiga sarmoya ({1})")),
    (r"^benefit per person \((.+) a year\)$", ("benefit per person ({0} a year)",
                                              "выгода на человека ({0} в год)",
                                              "bir kishiga foyda (yiliga {0})")),
    (r"^benefit per ([\d,]+) persons \((.+) a year\)$", ("benefit per {0} persons ({1} a year)",
                                                        "выгода на {0} человек ({1} в год)",
                                                        "{0} kishiga foyda (yiliga {1})")),
    (r"^change per ([\d,]+) persons$", ("change per {0} persons", "изменение на {0} человек",
                                         "{0} kishiga oʻzgarish")),
    (r"^change per person$", ("change per person", "изменение на человека", "bir kishiga oʻzgarish")),
    (r"^(.+) per ([\d,]+) persons$", ("{0} per {1} persons", "{0} на {1} человек", "{0}, {1} kishiga")),
    (r"^invested per (.+)$", ("invested per {0}", "вложено на единицу {0}", "{0} birligiga sarmoya")),
    (r"^Δ (.+)$", ("Δ {0}", "Δ {0}", "Δ {0}")),
    (r"^model (\d{4})$", ("model {0}", "в модели {0}", "modelda {0}")),
    (r"^true (\d{4})$", ("true {0}", "по сети {0}", "tarmoq boʻyicha {0}")),
    (r"^difference (\d{4})$", ("difference {0}", "разница {0}", "farq {0}")),
    (r"^used (.+)$", ("used {0}", "использовано {0}", "ishlatilgan {0}")),
    (r"^(.+) progress$", ("{0} progress", "{0}: прогресс", "{0}: bajarilish")),
)

#: Items of the Summary sheet: a pattern on the item and its label with the pattern's groups.
SUMMARY: tuple[tuple[str, Entry], ...] = (
    (r"^scenario$", ("scenario", "сценарий", "ssenariy")),
    (r"^status$", ("status", "статус", "holat")),
    (r"^objective$", ("objective", "целевая функция", "maqsad funksiyasi")),
    (r"^stage: (.+)$", ("stage: {0}", "этап: {0}", "bosqich: {0}")),
    (r"^MIP gap$", ("MIP gap", "разрыв MIP", "MIP farqi")),
    (r"^solve seconds$", ("solve seconds", "время решения, с", "yechish vaqti, s")),
    (r"^message$", ("message", "сообщение", "xabar")),
    (r"^fund (.+): available$", ("fund {0}: available", "фонд {0}: доступно", "{0} fondi: mavjud")),
    (r"^fund (.+): used$", ("fund {0}: used", "фонд {0}: использовано", "{0} fondi: ishlatilgan")),
    (r"^goals met$", ("goals met", "выполненные цели", "bajarilgan maqsadlar")),
    (r"^goals missed$", ("goals missed", "невыполненные цели", "bajarilmagan maqsadlar")),
    (r"^money that cannot help$", ("money that cannot help", "деньги, которые не могут помочь",
                                   "foyda bera olmaydigan mablagʻ")),
    (r"^regional spread \(warning\)$", ("regional spread (warning)", "разброс по регионам (предупреждение)",
                                         "hududlar orasidagi farq (ogohlantirish)")),
    (r"^regional spread$", ("regional spread", "разброс по регионам", "hududlar orasidagi farq")),
    (r"^run: input file$", ("run: input file", "запуск: входной файл", "ishga tushirish: kirish fayli")),
    (r"^run: input sha256$", ("run: input sha256", "запуск: SHA-256 входного файла",
                              "ishga tushirish: kirish SHA-256")),
    (r"^run: (.+) version$", ("run: {0} version", "запуск: версия {0}", "ishga tushirish: {0} versiyasi")),
    (r"^run: options$", ("run: options", "запуск: параметры", "ishga tushirish: parametrlar")),
    (r"^run: date$", ("run: date", "запуск: дата", "ishga tushirish: sana")),
    (r"^run: variant$", ("run: variant", "запуск: вариант", "ishga tushirish: variant")),
    (r"^indicator$", ("indicator", "показатель", "koʻrsatkich")),
    (r"^(.+) before the plan$", ("{0} before the plan", "{0} до плана", "{0} rejadan oldin")),
    (r"^(.+) after the plan$", ("{0} after the plan", "{0} после плана", "{0} rejadan keyin")),
)

#: Words and phrases (chart titles, summary items, the Brief, the console).
TEXT: dict[str, Entry] = {
    "yes": ("yes", "да", "ha"),
    "no": ("no", "нет", "yoʻq"),
    "pooled": ("(pooled: all regions)", "(общий: все регионы)", "(umumiy: barcha hududlar)"),
    "nothing": ("nothing to show (no plan, or nothing of this kind)", "нечего показать (нет плана или "
                "нет данных этого вида)", "koʻrsatadigan narsa yoʻq (reja yoki bu turdagi maʼlumot yoʻq)"),
    # charts
    "chart.spending": ("Money used per year, by fund", "Использовано денег по годам и фондам",
                       "Yillar va fondlar boʻyicha ishlatilgan mablagʻ"),
    "chart.goals": ("Goal progress: share of the required change reached (100% = met)",
                    "Прогресс целей: доля требуемого изменения (100 % = выполнена)",
                    "Maqsadlar bajarilishi: talab qilingan oʻzgarish ulushi (100% = bajarildi)"),
    "chart.invested": ("Money invested in each region", "Вложено в каждый регион", "Har bir hududga sarmoya"),
    "chart.per_person": ("Invested per person in each region", "Вложено на человека в каждом регионе",
                         "Har bir hududda bir kishiga sarmoya"),
    "chart.equity": ("Per-capita gain by region: efficient vs fair plan",
                     "Прирост на душу по регионам: эффективный и справедливый план",
                     "Hududlar boʻyicha aholi boshiga oʻsish: samarali va adolatli reja"),
    "chart.running": ("Construction and running costs per year", "Строительство и содержание по годам",
                      "Yillar boʻyicha qurilish va saqlash xarajatlari"),
    "axis.year": ("year", "год", "yil"),
    "axis.fund_money": ("money used", "использовано", "ishlatilgan"),
    "axis.goal": ("goal", "цель", "maqsad"),
    "axis.progress": ("progress", "прогресс", "bajarilish"),
    "axis.region": ("region", "регион", "hudud"),
    "axis.money": ("money", "деньги", "mablagʻ"),
    "axis.per_person": ("invested per person", "вложено на человека", "bir kishiga sarmoya"),
    "map.title": ("Investment per person by region; upgraded links in bold",
                  "Вложения на человека по регионам; улучшенные дороги выделены",
                  "Hududlar boʻyicha bir kishiga sarmoya; yaxshilangan yoʻllar qalin"),
    "map.legend": ("invested per person", "вложено на человека", "bir kishiga sarmoya"),
    "map.upgraded": ("upgraded link", "улучшенная дорога", "yaxshilangan yoʻl"),
    "map.existing": ("existing link", "существующая дорога", "mavjud yoʻl"),
    "map.none": ("nothing invested", "нет вложений", "sarmoya yoʻq"),
    # console
    "console.projects": ("Chosen projects", "Выбранные проекты", "Tanlangan loyihalar"),
    "console.goals": ("Goals", "Цели", "Maqsadlar"),
    "console.funds": ("Money used per fund", "Использовано по фондам", "Fondlar boʻyicha ishlatilgan"),
    "console.cost": ("cost", "стоимость", "qiymati"),
    "console.gap": ("MIP gap", "разрыв MIP", "MIP farqi"),
    "console.time": ("solve time", "время решения", "yechish vaqti"),
    "console.idle": ("Money that cannot help", "Деньги, которые не могут помочь", "Foyda bera olmaydigan mablagʻ"),
    "console.spread": ("Regional spread", "Разброс по регионам", "Hududlar orasidagi farq"),
    # brief: headings
    "brief.title": ("Brief", "Краткая справка", "Qisqacha maʼlumot"),
    "brief.fund": ("What we fund", "Что финансируем", "Nimani moliyalashtiramiz"),
    "brief.get": ("What we get", "Что получаем", "Nima olamiz"),
    "brief.missing": ("What is missing", "Чего не хватает", "Nima yetishmaydi"),
    "brief.money": ("Money by fund", "Деньги по фондам", "Fondlar boʻyicha mablagʻ"),
    "brief.more": ("What more money would buy", "Что дали бы дополнительные деньги", "Qoʻshimcha mablagʻ nima beradi"),
    "brief.spread": ("Where the money goes", "Куда идут деньги", "Mablagʻ qayerga boradi"),
    "brief.map": ("Map", "Карта", "Xarita"),
    "brief.figures": ("Key figures", "Основные цифры", "Asosiy raqamlar"),
    "brief.see": ("Details: the sheets Plan, Spending, Goals, Allocation; how it was solved: Summary.",
                  "Подробности: листы План, Расходы, Цели, Распределение; как получено: Сводка.",
                  "Batafsil: Reja, Xarajatlar, Maqsadlar, Taqsimot varaqlari; qanday olingan: Umumiy."),
    # brief: sentences ({placeholders} filled by planner.output.brief)
    "brief.status": ("Status: {status}.", "Статус: {status}.", "Holat: {status}."),
    "status.optimal": ("the best plan, proven within the MIP gap", "лучший план (доказано в пределах "
                       "допуска MIP)", "eng yaxshi reja (MIP chegarasida isbotlangan)"),
    "status.feasible": ("a plan, not proven the best (a limit stopped the solver)", "план найден, но не "
                        "доказано, что он лучший (сработал лимит)", "reja topildi, lekin eng yaxshisi ekani "
                        "isbotlanmagan (cheklov ishladi)"),
    "status.infeasible": ("no plan meets every hard rule", "ни один план не выполняет все жёсткие правила",
                          "hech bir reja barcha qatʼiy qoidalarni bajarmaydi"),
    "status.no_solution": ("the solver stopped before finding a plan", "решатель остановился, не найдя плана",
                           "yechuvchi reja topmasdan toʻxtadi"),
    "status.interrupted": ("stopped before the end; the best plan so far", "остановлено досрочно; лучший "
                           "план на этот момент", "muddatidan oldin toʻxtatildi; shu paytgacha eng yaxshi reja"),
    "status.invalid": ("the input cannot be used", "входные данные нельзя использовать",
                       "kiritilgan maʼlumotlardan foydalanib boʻlmaydi"),
    "brief.plan": ("The plan funds {count} over {first}–{last} for {own} {unit} of the funds' money "
                   "({used_share} of the {available} available){partners}.",
                   "План финансирует {count} в {first}–{last} годах на {own} {unit} из фондов "
                   "({used_share} из доступных {available}){partners}.",
                   "Reja {first}–{last} yillarda {count}ni fondlardan {own} {unit} evaziga moliyalashtiradi "
                   "(mavjud {available} ning {used_share}){partners}."),
    "brief.partners": ("; partners add {amount}", "; партнёры добавляют {amount}", "; hamkorlar {amount} qoʻshadi"),
    "brief.largest": ("The largest: {items}.", "Крупнейшие: {items}.", "Eng yiriklari: {items}."),
    "brief.kinds": ("By kind: {items}.", "По видам: {items}.", "Turlari boʻyicha: {items}."),
    "brief.when": ("Spending is highest in {year} ({amount}); the first projects start in {first}, the last "
                   "in {last}.", "Больше всего расходов в {year} году ({amount}); первые проекты начинаются в "
                   "{first}, последние в {last} году.", "Eng koʻp xarajat {year} yilda ({amount}); birinchi "
                   "loyihalar {first} yilda, oxirgilari {last} yilda boshlanadi."),
    "brief.where": ("Most money goes to {items}.", "Больше всего денег получают: {items}.",
                    "Eng koʻp mablagʻ oladiganlar: {items}."),
    "brief.spread_text": ("Investment per person ranges from {low} {unit} in {low_region} to {high} {unit} in "
                          "{high_region} ({ratio}).", "Вложения на человека — от {low} {unit} ({low_region}) до "
                          "{high} {unit} ({high_region}) ({ratio}).", "Bir kishiga sarmoya {low_region}da {low} "
                          "{unit} dan {high_region}da {high} {unit} gacha ({ratio})."),
    "brief.ratio": ("{ratio}× spread", "разброс {ratio}×", "{ratio}× farq"),
    "brief.ratio_none": ("the lowest gets nothing", "наименьший не получает ничего", "eng kami hech narsa olmaydi"),
    "brief.spread_warning": ("more than the {threshold}× of Settings spread_warning; Equity rules (min_share, "
                             "max_share) can bound it", "больше, чем {threshold}× в Settings spread_warning; "
                             "правила Equity (min_share, max_share) могут это ограничить", "Settings "
                             "spread_warning dagi {threshold}× dan koʻp; Equity qoidalari (min_share, max_share) "
                             "buni cheklashi mumkin"),
    "brief.goals_met": ("{met} of {total} goals are met.", "Выполнено целей: {met} из {total}.",
                        "{total} ta maqsaddan {met} tasi bajarildi."),
    "brief.all_met": ("Every goal is met.", "Все цели выполнены.", "Barcha maqsadlar bajarildi."),
    "brief.goal_met": ("{goal} ({what}): {achieved} against {target} ({progress} of the required change).",
                       "{goal} ({what}): {achieved} при цели {target} ({progress} требуемого изменения).",
                       "{goal} ({what}): {target} maqsadga nisbatan {achieved} (talab qilingan oʻzgarishning "
                       "{progress})."),
    "brief.gains": ("By {year} the plan adds {items}.", "К {year} году план добавляет: {items}.",
                    "{year} yilga kelib reja qoʻshadi: {items}."),
    "brief.no_goals": ("The scenario sets no goals.", "В сценарии нет целей.", "Ssenariyda maqsad yoʻq."),
    "brief.goal_missed": ("{goal} ({what}) is missed by {shortfall}{unit}: {achieved} against {target} "
                          "(progress {progress}).", "{goal} ({what}) не выполнена, не хватает {shortfall}{unit}: "
                          "{achieved} при цели {target} (прогресс {progress}).", "{goal} ({what}) bajarilmadi, "
                          "{shortfall}{unit} yetishmaydi: {target} maqsadga nisbatan {achieved} (bajarilish "
                          "{progress})."),
    "brief.nothing_missing": ("Nothing: every goal is met.", "Ничего: все цели выполнены.",
                              "Hech narsa: barcha maqsadlar bajarildi."),
    "brief.held": ("Held back by {items}.", "Сдерживают: {items}.", "Toʻsqinlik qiladi: {items}."),
    "held.budgets": ("the budgets ({funds})", "бюджеты ({funds})", "byudjetlar ({funds})"),
    "held.goal": ("goal {goal} (priority {priority})", "цель {goal} (приоритет {priority})",
                  "{goal} maqsadi (ustuvorlik {priority})"),
    "held.goal_plain": ("goal {goal}", "цель {goal}", "{goal} maqsadi"),
    "held.rule": ("the rule {rule} ({where})", "правило {rule} ({where})", "{rule} qoidasi ({where})"),
    "held.candidates": ("the candidate projects: none moves it far enough", "кандидаты: ни один проект не "
                        "продвигает её достаточно", "nomzod loyihalar: hech biri uni yetarlicha siljitmaydi"),
    "brief.take": ("To meet it: {items}.", "Чтобы выполнить её: {items}.", "Uni bajarish uchun: {items}."),
    "take.money": ("{amount} more {unit}, most in {fund} ({fund_amount})", "ещё {amount} {unit}, больше всего "
                   "в фонде {fund} ({fund_amount})", "yana {amount} {unit}, eng koʻpi {fund} fondida "
                   "({fund_amount})"),
    "take.goals": ("{goals} giving up some of their level", "уступка целей {goals}",
                   "{goals} maqsadlari darajasidan voz kechishi"),
    "take.target": ("a lower target, {value}", "более низкая цель, {value}", "pastroq maqsad, {value}"),
    "take.rules": ("changing {rules}", "изменение правил {rules}", "{rules} qoidalarini oʻzgartirish"),
    "take.or": (", or ", ", или ", " yoki "),
    "brief.reach": ("No change of budgets, rules or other goals meets it: the candidates reach at most {level} "
                    "(progress {progress}); only a lower target or more candidate projects can.",
                    "Никакое изменение бюджетов, правил или других целей её не выполняет: кандидаты дают не "
                    "более {level} (прогресс {progress}); помогут только более низкая цель или новые проекты.",
                    "Byudjetlar, qoidalar yoki boshqa maqsadlarni oʻzgartirish uni bajarmaydi: nomzodlar koʻpi "
                    "bilan {level} ga yetadi (bajarilish {progress}); faqat pastroq maqsad yoki yangi loyihalar "
                    "yordam beradi."),
    "brief.not_diagnosed": ("Why it is missed was not worked out in time: planner diagnose FILE --goal {goal}.",
                            "Причина не выяснена за отведённое время: planner diagnose FILE --goal {goal}.",
                            "Sababi vaqtida aniqlanmadi: planner diagnose FILE --goal {goal}."),
    "brief.marginal": ("The scarcest money is {fund}{where} in {year}: one more {unit} there would move {effects}.",
                       "Самые дефицитные деньги — {fund}{where} в {year} году: ещё одна единица ({unit}) там "
                       "изменила бы {effects}.", "Eng tanqis mablagʻ — {year} yildagi {fund}{where}: u yerda "
                       "yana bir birlik ({unit}) maqsadlarni oʻzgartiradi: {effects}."),
    "brief.marginal_effect": ("{goal} by {change}", "{goal} на {change}", "{goal} {change} ga"),
    "brief.marginal_stage": ("improve {stage} by {change}", "улучшила бы {stage} на {change}",
                             "{stage} ni {change} ga yaxshilaydi"),
    "brief.marginal_none": ("No budget binds: more money would buy nothing better.", "Ни один бюджет не "
                            "ограничивает: дополнительные деньги ничего не улучшат.", "Hech bir byudjet "
                            "cheklamaydi: qoʻshimcha mablagʻ hech narsani yaxshilamaydi."),
    "brief.marginal_ask": ("What one more unit of money in each budget would buy: planner solve FILE --marginal.",
                           "Что дала бы ещё одна единица денег в каждом бюджете: planner solve FILE --marginal.",
                           "Har bir byudjetdagi yana bir birlik mablagʻ nima berishi: planner solve FILE "
                           "--marginal."),
    "brief.idle": ("{amount} of the budget ({share}) cannot help any goal: {years}.",
                   "{amount} бюджета ({share}) не может помочь ни одной цели: {years}.",
                   "Byudjetning {amount} qismi ({share}) hech bir maqsadga yordam bera olmaydi: {years}."),
    "brief.idle_late": ("money of {year}, when a project paid then is complete only after the horizon",
                        "деньги {year} года: проект, оплаченный тогда, будет готов только после горизонта",
                        "{year} yil mablagʻi: oʻshanda toʻlangan loyiha faqat reja muddatidan keyin tayyor boʻladi"),
    "brief.idle_other": ("money no candidate may use then", "деньги, которые тогда не может использовать ни "
                         "один кандидат", "oʻshanda hech bir nomzod ishlata olmaydigan mablagʻ"),
    "brief.no_plan": ("There is no plan to report.", "Плана нет.", "Reja yoʻq."),
    "brief.diagnosis": ("Why: {text}", "Причина: {text}", "Sababi: {text}"),
    "brief.none": ("nothing", "ничего", "hech narsa"),
    "brief.whole": ("whole country", "вся страна", "butun mamlakat"),
    "brief.and_more": ("and {count} more", "и ещё {count}", "va yana {count} ta"),
    "brief.per_person_unit": ("{currency} per person", "{currency} на человека", "bir kishiga {currency}"),
    "kind.cluster": ("cluster", "кластер", "klaster"),
    "kind.transport": ("transport", "транспорт", "transport"),
    "kind.crossborder": ("cross-border", "приграничные", "chegaraoldi"),
    "kind.other": ("other", "прочие", "boshqa"),
    "project.one": ("project", "проект", "ta loyiha"),
    "project.few": ("projects", "проекта", "ta loyiha"),
    "project.many": ("projects", "проектов", "ta loyiha"),
}


def language(value: object) -> str:
    """A language code from ``--lang`` or ``Settings.language`` (blank = English)."""
    code = str(value or DEFAULT_LANGUAGE).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language '{value}': use one of {', '.join(LANGUAGES)}")
    return code


def _pick(entry: Entry, lang: str) -> str:
    return entry[LANGUAGES.index(lang) if lang in LANGUAGES else 0]


def word(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The phrase ``key`` in ``lang``, its {placeholders} filled from ``values`` (unknown keys as written)."""
    entry = TEXT.get(key)
    text = _pick(entry, lang) if entry else key
    return text.format(**values) if values else text


def sheet_title(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The title of the results workbook's sheet ``name`` in ``lang``."""
    entry = SHEETS.get(name)
    return _pick(entry, lang) if entry else name


def header_label(name: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A column's header in ``lang``: its name in English; looked up, then by pattern, otherwise."""
    text = str(name)
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return text
    if text in HEADERS:
        return _pick(HEADERS[text], lang)
    for pattern, entry in PATTERNS:
        match = re.match(pattern, text)
        if match:  # a part that is itself a header ("baseline" of "baseline per 1,000 persons") is said too
            parts = [_pick(HEADERS[g], lang) if g in HEADERS else re.sub(r"(?<=\d),(?=\d{3})", "\u00a0", g)
                     for g in match.groups()]  # 1,000 -> 1 000: how Russian and Uzbek group digits
            return _pick(entry, lang).format(*parts)
    return text


def summary_item(item: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A Summary sheet item in ``lang`` (as written when it has no label)."""
    text = str(item)
    if lang == DEFAULT_LANGUAGE:
        return text
    for pattern, entry in SUMMARY:
        match = re.match(pattern, text)
        if match:
            return _pick(entry, lang).format(*match.groups())
    return text


def number(value: float | None, lang: str = DEFAULT_LANGUAGE, digits: int | None = None) -> str:
    """A figure for a sentence: three to four significant digits (no raw floats), grouped the way
    ``lang`` groups them: 3,715.1 / 3 715,1."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "?"
    v = float(value)
    if digits is None and v == round(v) and abs(v) < 1e15:
        digits = 0
    if digits is None:
        magnitude = abs(v)
        digits = 0 if magnitude >= 100 or magnitude == 0 else 1 if magnitude >= 10 else 2 if magnitude >= 1 \
            else max(2, 1 - math.floor(math.log10(magnitude)))
    text = f"{v:,.{digits}f}"
    if lang in ("ru", "uz"):
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def percent(value: float | None, lang: str = DEFAULT_LANGUAGE, digits: int = 0) -> str:
    """A share as a percentage: 88% / 88 %."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "?"
    text = f"{100 * float(value):,.{digits}f}"
    if lang in ("ru", "uz"):
        return text.replace(",", "\u202f").replace(".", ",") + "\u00a0%"
    return text + "%"


def count_of(n: int, noun: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """"42 projects" / "42 проекта" / "42 ta loyiha" (Russian plural forms by the number)."""
    if lang == "ru":
        form = "one" if n % 10 == 1 and n % 100 != 11 else \
            "few" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "many"
    else:
        form = "one" if n == 1 else "many"
    return f"{n} {word(f'{noun}.{form}', lang)}"


__all__ = ["DEFAULT_LANGUAGE", "HEADERS", "LANGUAGES", "PATTERNS", "SHEETS", "SUMMARY", "TEXT", "count_of",
           "header_label", "language", "number", "percent", "sheet_title", "summary_item", "word"]
