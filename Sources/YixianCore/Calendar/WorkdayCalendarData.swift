/// # Workday calendar data format (PRC public holidays and make-up workdays 调休)
///
/// Plain UTF-8 text, one statement per line; an admin can edit it in any text
/// editor and upload it as an override (`WorkdayCalendar(parsing:)`).
///
/// ```text
/// # A comment: any line whose first non-blank character is '#'. Blank lines are ignored.
/// year 2025 国办发明电〔2024〕12号
/// 2025-10-01..2025-10-08 holiday 国庆节、中秋节
/// 2025-09-28 workday 国庆节调休
/// 2027-10-01..2027-10-07 holiday projected 国庆节
/// ```
///
/// - `year YYYY [source…]` declares that the file holds the complete schedule of
///   that year; `covers(year:)` answers from these lines, and an override that
///   declares a year replaces every built-in line of that year.
/// - `DATE holiday NAME` or `START..END holiday NAME`: days off (dates `YYYY-MM-DD`,
///   range inclusive). Write the whole published break, weekends included
///   (春节 2025 is `2025-01-28..2025-02-04`), so every day of it shows its name.
/// - `DATE workday NAME` or a range: make-up workdays; each day must be a Saturday
///   or Sunday, since a weekday is a workday already.
/// - `projected` after the kind marks a line as not yet published by the State
///   Council (guessed from the usual pattern); it is replaced by an override.
/// - A day may be listed only once; dates lie between 1900 and 2199; comments take
///   a whole line. Every bad line is reported at once, by line number, in zh and en.
/// - Unlisted days follow the plain Monday–Friday rule, which is all a year without
///   a `year` line gets; callers warn with `covers(year:)`.
///
/// Sources: 国务院办公厅 notices 国办发明电〔2023〕7号 (2024), 〔2024〕12号 (2025),
/// 〔2025〕7号 (2026). 2027 is projected: 春节 is 2027-02-06, 清明 04-05, 端午 06-09,
/// 中秋 09-15; breaks follow the 2025 rules (春节 and 国庆 borrow weekends, at most
/// six working days in a row around a break, 端午 and 中秋 midweek are single days).
extension WorkdayCalendar {
    public static let builtInData = """
    year 2024 国办发明电〔2023〕7号
    2024-01-01 holiday 元旦
    2024-02-10..2024-02-17 holiday 春节
    2024-02-04 workday 春节调休
    2024-02-18 workday 春节调休
    2024-04-04..2024-04-06 holiday 清明节
    2024-04-07 workday 清明节调休
    2024-05-01..2024-05-05 holiday 劳动节
    2024-04-28 workday 劳动节调休
    2024-05-11 workday 劳动节调休
    2024-06-08..2024-06-10 holiday 端午节
    2024-09-15..2024-09-17 holiday 中秋节
    2024-09-14 workday 中秋节调休
    2024-10-01..2024-10-07 holiday 国庆节
    2024-09-29 workday 国庆节调休
    2024-10-12 workday 国庆节调休

    year 2025 国办发明电〔2024〕12号
    2025-01-01 holiday 元旦
    2025-01-28..2025-02-04 holiday 春节
    2025-01-26 workday 春节调休
    2025-02-08 workday 春节调休
    2025-04-04..2025-04-06 holiday 清明节
    2025-05-01..2025-05-05 holiday 劳动节
    2025-04-27 workday 劳动节调休
    2025-05-31..2025-06-02 holiday 端午节
    2025-10-01..2025-10-08 holiday 国庆节、中秋节
    2025-09-28 workday 国庆节调休
    2025-10-11 workday 国庆节调休

    year 2026 国办发明电〔2025〕7号
    2026-01-01..2026-01-03 holiday 元旦
    2026-01-04 workday 元旦调休
    2026-02-15..2026-02-23 holiday 春节
    2026-02-14 workday 春节调休
    2026-02-28 workday 春节调休
    2026-04-04..2026-04-06 holiday 清明节
    2026-05-01..2026-05-05 holiday 劳动节
    2026-05-09 workday 劳动节调休
    2026-06-19..2026-06-21 holiday 端午节
    2026-09-25..2026-09-27 holiday 中秋节
    2026-10-01..2026-10-07 holiday 国庆节
    2026-09-20 workday 国庆节调休
    2026-10-10 workday 国庆节调休

    # 2027 is not yet published: these lines are projected from the usual pattern.
    # When the State Council publishes, an admin override declaring `year 2027` replaces them.
    year 2027 projected from the usual pattern
    2027-01-01..2027-01-03 holiday projected 元旦
    2027-02-05..2027-02-13 holiday projected 春节
    2027-01-31 workday projected 春节调休
    2027-02-14 workday projected 春节调休
    2027-04-03..2027-04-05 holiday projected 清明节
    2027-05-01..2027-05-05 holiday projected 劳动节
    2027-04-25 workday projected 劳动节调休
    2027-06-09 holiday projected 端午节
    2027-09-15 holiday projected 中秋节
    2027-10-01..2027-10-07 holiday projected 国庆节
    2027-09-26 workday projected 国庆节调休
    2027-10-09 workday projected 国庆节调休
    """
}
