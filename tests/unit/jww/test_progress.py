import io

from jww.progress import Bar


def test_a_bar_with_a_total_shows_the_share_done_and_ends_its_line():
    out = io.StringIO()
    bar = Bar("intake: records", total=10, stream=out)
    bar(5)
    bar.close()
    last = out.getvalue().split("\r")[-1]
    assert last == "intake: records [###############...............]  50% 5/10\n"


def test_a_bar_without_a_total_counts_and_takes_a_total_learnt_later():
    out = io.StringIO()
    bar = Bar("writing the report", stream=out)
    bar(1200)
    assert out.getvalue().endswith("writing the report 1,200")
    bar(3, total=3)
    bar.close()
    assert out.getvalue().split("\r")[-1].endswith("100% 3/3\n")
