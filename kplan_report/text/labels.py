"""Every fixed term the report prints, once.

The writers never spell a heading, a column label or a caption themselves:
they take it from the :class:`Labels` of the report, which the outline
builds from :data:`DEFAULTS`, the plan's municipality kind and the plan's
own overrides (``plan.terms`` in ``plan.yaml``).  So a town's report says
町の対応 where a city's says 市の対応, and a plan that calls its 主体 something
else says so everywhere at once.

``{kind}`` in a default stands for the municipality kind (市, 町 or 村).
Labels that the evaluation scale defines (達成, 未把握, 未報告 …) are *not*
here: they come from ``evaluation.yaml`` only.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULTS: dict[str, str] = {
    # document
    "report_title": "進捗状況報告書",
    "final_report_title": "最終評価報告書",
    "contents": "目次",
    "draft": "（案）",
    "sample_mark": "サンプルデータ",
    "sample_notice": "この報告書の実績値・評価・意見はすべて動作確認用のサンプルデータ（架空の値）であり，公式の数値ではありません。",
    "draft_notice": "この報告書は案であり，内容は確定していません。",
    # chapters and sections
    "chapter1": "第1章 進捗管理の概要",
    "chapter2": "第2章 総括",
    "chapter3": "第3章 基本目標別の進捗状況",
    "appendix": "資料編",
    "plan_period": "計画の期間と位置付け",
    "policy_tree": "施策の体系",
    "evaluation_method": "評価の方法",
    "status_table": "主な指標の評価区分",
    "grade_table": "主な取組・事業の評価区分",
    "indicator_status": "主な指標の評価",
    "project_grades": "主な取組・事業の評価",
    "overall_opinion": "推進委員会の意見と{kind}の対応",
    "objective_opinion": "推進委員会の意見と{kind}の対応",
    "appendix_indicators": "主な指標の推移（全指標）",
    "appendix_glossary": "用語解説",
    "appendix_provenance": "データの出典",
    "current_issues": "（現状・課題）",
    "policy_direction": "（施策の方向性）",
    # the plan's tree
    "goal": "基本目標",
    "objective": "具体的目標",
    "promotion_item": "推進項目",
    "actor": "主体",
    "action": "具体的取組",
    "action_bullet": "・",  # before each 具体的取組 where several share a cell (the Word draft)
    "projects": "≪主な取組・事業≫",
    "notes": "＜参考＞",
    "indicators": "＜主な指標＞",
    # column labels
    "status": "評価",
    "criterion": "基準",
    "grade": "評価",
    "grade_name": "区分",
    "status_column": "{year}の取組状況",
    "no_summary": "―",
    "project_name": "事業名",
    "owner": "担当",
    "results": "実施内容・実績",
    # names of the draft's content controls (Word shows them on the control)
    "field_summary": "{item}・{actor} の取組状況",
    "field_action": "{item}・{actor} の具体的取組（計画の文言・編集不可）",
    "field_project": "{project} の{column}",
    "field_opinion": "{where} の{column}",
    "field_indicator": "指標{number} {name}{measure} の{year}の{column}",
    "field_value": "実績値",
    "field_count": "実績値の件数",
    "field_of": "実績値の母数",
    "field_reason": "未把握の理由",
    "field_note": "備考",
    "field_computed_value": "実績値（件数と母数から計算・編集不可）",
    "field_progress": "進捗（計算値・編集不可）",
    "field_status": "評価（計算値・編集不可）",
    "field_period": "{where} の{column}",
    "field_indicator_plan": "指標{number} {name} の{column}（計画の文言・編集不可）",
    "field_earlier": "実績値（過年度・編集不可）",
    "field_survey": "調査のない年度の評価（計算値・編集不可）",
    "field_final": "指標{number} {name} の{column}（最終評価・計算値・編集不可）",
    "next_steps": "課題・今後の方向性",
    "number": "№",
    "indicator": "指標項目",
    "baseline_column": "現状値\n{year}({western})",
    "target_column": "目標値\n{year}({western})",
    "year_column": "{year}\n({western})",
    "progress": "進捗",
    "evaluation": "評価",
    "no_progress": "―",
    "count": "事業数",
    "total": "合計",
    "opinion": "推進委員会の意見",
    "response": "{kind}の対応",
    "term": "用語",
    "definition": "解説",
    "where": "掲載箇所",
    "input_file": "入力ファイル",
    "checksum": "SHA-256",
    "tool_version": "作成ツール",
    "build_date": "作成日",
    # page layout (the PDF's continued tables) and figures
    "continued": "（続き）",
    "summary_on_previous_page": "（前ページに記載）",
    "figure": "図",
    "chart_caption": "{name}の推移",
    "chart_alt": "グラフ：{name}の推移（{first}～{last}年度の実績値と目標値）",
    "chart_target": "目標",
    "status_chart_alt": "グラフ：{name}（{rows}別の件数）",
    # charts' data tables (the web edition prints one after every chart)
    "fiscal_year": "年度",
    "chart_value": "値",
    "chart_data": "{caption}（データ）",
    # the web edition's page furniture
    "skip_to_content": "本文へ移動",
    "breadcrumbs": "現在位置",
    "site_pages": "ページ一覧",
    "home": "トップページ",
    # open data (build/<year>/data/): CSV columns and their README
    "data_readme_title": "オープンデータ（CSV）",
    "data_readme_intro": "{title}の数値をCSV形式（UTF-8，BOM付き，1行目が列名）で提供します。",
    "data_indicators_file": "主な指標の数値（指標の数値ごとに1行，全年度）",
    "data_projects_file": "主な取組・事業の評価（事業と年度ごとに1行）",
    "data_columns": "列",
    "data_column_help": "内容",
    "not_entered": "未入力",
    "data_goal_id": "基本目標ID",
    "data_goal_id_help": "基本目標のID（G1 など）",
    "data_objective_id": "具体的目標ID",
    "data_objective_id_help": "具体的目標のID（G1.1 など）",
    "data_indicator_id": "指標ID",
    "data_indicator_id_help": "主な指標のID（G1.1.i1 など）",
    "data_indicator_help": "指標の名称（計画の表記）",
    "data_measure_id": "数値ID",
    "data_measure_id_help": "指標の中の数値のID（main，districts など）。1つの指標に複数の数値があるときは数値ごとに1行",
    "data_measure": "数値の名称",
    "data_measure_help": "指標に複数の数値があるときの名称（1つのときは空欄）",
    "data_unit": "単位",
    "data_unit_help": "数値の単位（人，回，％ など）",
    "data_baseline": "現状値（{year}年度）",
    "data_baseline_help": "計画策定時の現状値（数値）。空欄は数値のないもの",
    "data_target": "目標値（{year}年度）",
    "data_target_help": "目標値（数値）。「全校」などの目標は報告年度の対象数",
    "data_value": "実績値（{year}年度）",
    "data_value_help": "各年度の実績値（数値，桁区切りなし）。空欄は未把握",
    "data_reason": "未把握の理由（{year}年度）",
    "data_reason_help": "実績値が空欄の理由（未入力は実績が入力されていないもの）",
    "data_progress": "進捗率（％，{year}年度）",
    "data_progress_help": "現状値から目標値までの進み具合（％，小数第1位）。計算できないときは空欄",
    "data_status": "評価（{year}年度）",
    "data_status_help": "報告年度の評価区分（evaluation.yaml の区分）",
    "data_project_id": "事業ID",
    "data_project_id_help": "主な取組・事業のID（p001 など）",
    "data_project_name_help": "事業名",
    "data_owner_help": "担当課・担当団体",
    "data_items": "推進項目ID",
    "data_items_help": "事業を掲げる推進項目のID（複数のときは空白区切り）",
    "data_year": "年度",
    "data_year_help": "評価の年度（西暦）",
    "data_grade_help": "評価の記号（A，B など。未報告は空欄）",
    "data_grade_name_help": "評価の区分（未報告を含む）",
    "data_results_help": "その年度の実施内容・実績",
    "data_next_steps_help": "その年度の課題・今後の方向性",
    # survey indicators: a year without a survey (not_surveyed: true)
    "not_surveyed": "対象外",
    "survey_note": "{label}{measure}：調査のない年度のため，{year}の値（{value}）により評価",
    # every annual report: a project's grades of the earlier years of the period
    "earlier_grades": "これまでの評価",
    "no_earlier_grades": "―",
    # the final edition (最終評価): the plan's last year, or build --final
    "chapter_final": "第4章 最終評価",
    "final_method": "最終評価の方法",
    "judgement_table": "最終評価の判定区分",
    "judgement": "判定",
    "final_indicators": "主な指標の最終評価",
    "final_counts": "判定の件数",
    "final_counts_chart": "主な指標の最終評価の判定",
    "goal_objective": "基本目標・具体的目標",
    "final_value": "最終値",
    "final_value_from": "（{year}）",
    "achievement_rate": "達成率",
    "held_every_year": "毎年度維持",
    "not_held": "未維持\n（{years}）",
    "final_projects": "主な取組・事業の評価の推移",
    "grades_by_year": "年度別の評価の件数",
    "years_range": "（{first}～{last}）",  # a table of some years of a long period
    "period_summary": "期間の評価",
    "grade_years": "{grade}：{n}年",
    "final_review": "成果と次期計画への課題",
    "review_goal": "{goal}の成果と課題",
    "review_results": "（成果）",
    "review_next_plan": "（次期計画への課題）",
    "review_results_column": "成果",
    "review_next_plan_column": "次期計画への課題",
    "no_review": "―",
    "period_opinion": "計画期間に対する推進委員会の意見と{kind}の対応",
    "summary_final": "主な指標{n}項目の最終評価は，{counts}です。",
    "summary_final_count": "「{label}」{count}項目",
    "position_final": "本報告書は，計画の{chapter}に掲げた主な指標及び主な取組・事業について，{first}から{year}までの計画期間の達成状況を評価（最終評価）し，次期計画への課題を取りまとめたものです。",
    # the final edition's open data (final.csv)
    "data_final_file": "主な指標の最終評価（指標の数値ごとに1行）",
    "data_final_value": "最終値",
    "data_final_value_help": "最終評価に用いた値（数値）。空欄は把握されていないもの",
    "data_final_year": "最終値の年度",
    "data_final_year_help": "最終値の年度（西暦）。調査のない年度は直近の調査年度",
    "data_rate": "達成率（％）",
    "data_rate_help": "（最終値－現状値）÷（目標値－現状値）（％，小数第1位）。現状維持の指標と計算できないときは空欄",
    "data_judgement": "判定",
    "data_judgement_help": "数値ごとの最終評価の判定（evaluation.yaml の final_judgements）",
    "data_indicator_judgement": "指標の判定",
    "data_indicator_judgement_help": "指標の判定（複数の数値からなる指標は最も低い判定）",
    # 第1章 and 第2章 sentences
    "position": "本報告書は，計画の{chapter}に掲げた推進項目・具体的取組，主な取組・事業及び主な指標について，{year}の進捗状況を取りまとめたものです。",
    "summary_indicators": "主な指標{n}項目のうち，{good}は{good_count}項目，「{unknown}」は{unknown_count}項目です。",
    "summary_projects": "主な取組・事業{n}事業のうち，「{grade}」は{count}事業です。",
}


class Labels(Mapping[str, str]):
    """The report's labels, read as attributes (``labels.response``) or items.

    Built once per report by :func:`make_labels`; immutable.
    """

    def __init__(self, values: Mapping[str, str]):
        self._values = dict(values)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):  # e.g. pickle looking for __setstate__ before _values exists
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no label {name!r} (text/labels.py DEFAULTS)") from None

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **values: str) -> Labels:
        return Labels({**self._values, **values})


def make_labels(kind: str, overrides: Mapping[str, str] | None = None) -> Labels:
    """The defaults with ``{kind}`` filled in, then the plan's own ``terms``.

    Placeholders other than ``{kind}`` (``{year}``, ``{name}`` …) are left for
    the outline to fill in where it knows them.
    """
    values = {key: text.replace("{kind}", kind) for key, text in DEFAULTS.items()}
    for key, text in (overrides or {}).items():
        if key not in DEFAULTS:
            raise KeyError(key)  # validate/ reports it with its line before a build gets here
        values[key] = text.replace("{kind}", kind)
    return Labels(values)
