namespace ClusterManager.Model.Tests;

public sealed class ScoreTests
{
    [TestCase(1, 2, 3)]
    [TestCase(1_000_000, -1_000_000, -1_000_000)]
    [TestCase(-1_000_000, 1_000_000, -1_000_000)]
    [TestCase(600_000, 600_000, 1_000_000)]
    [TestCase(999_999, 5, 1_000_000)]
    [TestCase(-999_999, -5, -1_000_000)]
    [TestCase(1_000_000, 5, 1_000_000)]
    public void Add_FollowsPacemakerArithmetic_ForPairs(int a, int b, int expected)
    {
        Assert.That((new Score(a) + new Score(b)).Value, Is.EqualTo(expected));
    }

    [Test]
    public void Add_IsNotAssociative_NearTheBounds()
    {
        var left = new Score(600_000) + new Score(600_000) + new Score(-300_000);
        var right = new Score(-300_000) + new Score(600_000) + new Score(600_000);
        Assert.That((left.Value, right.Value), Is.EqualTo((1_000_000, 900_000)));
    }

    [TestCase("INFINITY", 1_000_000)]
    [TestCase("+INFINITY", 1_000_000)]
    [TestCase("-INFINITY", -1_000_000)]
    [TestCase("2000000", 1_000_000)]
    [TestCase("-42", -42)]
    [TestCase(" 7 ", 7)]
    public void TryParse_ReadsPacemakerScores(string text, int expected)
    {
        Assert.That(Score.TryParse(text, out var s), Is.True);
        Assert.That(s.Value, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("infinity")]
    [TestCase("12abc")]
    [TestCase("high")]
    public void TryParse_RejectsNonScores(string text)
    {
        Assert.That(Score.TryParse(text, out _), Is.False);
        Assert.That(() => Score.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains(text));
    }

    [TestCase(1_000_000, "INFINITY")]
    [TestCase(-1_000_000, "-INFINITY")]
    [TestCase(-5, "-5")]
    public void ToString_PrintsAsPacemaker(int value, string expected)
    {
        Assert.That(new Score(value).ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void NodeName_Compare_IsOrdinalLikeStrcmp()
    {
        Assert.That(new NodeName("node10").CompareTo(new NodeName("node2")), Is.LessThan(0));
    }
}
