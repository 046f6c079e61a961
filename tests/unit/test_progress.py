"""Long CLI work outside a terminal (CI, logs): plain progress lines, then a summary."""
import io
import re

from shared.progress import Progress


def run(total, advances, **options):
    err = io.StringIO()
    with Progress("importing mail", total=total, unit="messages", file=err, **options) as progress:
        for outcome in advances:
            progress.advance(outcome=outcome)
    return progress, err.getvalue().splitlines(), progress.summary()


def test_outside_a_terminal_progress_is_a_plain_line_at_every_tenth(capsys):
    _, lines, _ = run(20, [None] * 20)
    assert len(lines) == 10 and "\r" not in "".join(lines)
    assert re.fullmatch(r"importing mail: 2/20 messages \(10%\), [\d.]+/s", lines[0])
    assert lines[-1].startswith("importing mail: 20/20 messages (100%), ")


def test_summary_line_counts_items_time_rate_and_outcomes(capsys):
    progress, _, _ = run(3, ["imported", "refused", "imported"],
                         outcomes=("imported", "already imported", "refused"))
    printed = capsys.readouterr().out.strip()
    assert re.fullmatch(r"importing mail: 3 messages in [\d.]+ s \([\d.]+/s\) — "
                        r"2 imported, 0 already imported, 1 refused", printed)


def test_unknown_total_still_reports_counts_and_a_summary(capsys):
    err = io.StringIO()
    with Progress("replaying", unit="messages", file=err) as progress:
        progress.advance(2500)
    assert err.getvalue().startswith("replaying: 2500 messages, ")
    assert capsys.readouterr().out.startswith("replaying: 2500 messages in ")


def test_no_summary_when_the_work_failed(capsys):
    try:
        with Progress("checking rows", total=5, file=io.StringIO()) as progress:
            progress.advance()
            raise ValueError("bad row")
    except ValueError:
        pass
    assert capsys.readouterr().out == ""
