namespace ClusterManager.Model.Tests;

public sealed class DurationsTests
{
    [TestCase("0", 0)]
    [TestCase("10", 10_000)]
    [TestCase(" 10 ", 10_000)]
    [TestCase("10s", 10_000)]
    [TestCase("10sec", 10_000)]
    [TestCase("10 S", 10_000)]
    [TestCase("1500ms", 1_500)]
    [TestCase("1500msec", 1_500)]
    [TestCase("2500us", 2)]
    [TestCase("2500usec", 2)]
    [TestCase("5m", 300_000)]
    [TestCase("5min", 300_000)]
    [TestCase("5mins", 300_000)]
    [TestCase("2h", 7_200_000)]
    [TestCase("2hr", 7_200_000)]
    [TestCase("2HR", 7_200_000)]
    [TestCase("1.5s", 1_000)]
    [TestCase("PT10S", 10_000)]
    [TestCase("P10S", 10_000)]
    [TestCase("PT1M30S", 90_000)]
    [TestCase("PT2H", 7_200_000)]
    [TestCase("P1D", 86_400_000)]
    [TestCase("P1W", 604_800_000)]
    [TestCase("P1M", 2_592_000_000)]
    [TestCase("P1DT1H", 90_000_000)]
    public void TryParse_GivesMilliseconds_ForPacemakerSyntax(string text, long expectedMs)
    {
        var ok = Durations.TryParse(text, out var value);

        Assert.That((ok, (long)value.TotalMilliseconds), Is.EqualTo((true, expectedMs)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("bad")]
    [TestCase("10x")]
    [TestCase("-5")]
    [TestCase(".5s")]
    [TestCase("P")]
    [TestCase("PT")]
    [TestCase("P1X")]
    [TestCase("PT1D")]
    [TestCase("P1.5D")]
    public void TryParse_ReturnsFalse_ForInvalidText(string? text)
    {
        Assert.That(Durations.TryParse(text, out _), Is.False);
    }

    [Test]
    public void Parse_ThrowsNamingTheText_WhenInvalid()
    {
        Assert.That(() => Durations.Parse("10 parsecs"), Throws.TypeOf<FormatException>().With.Message.Contains("'10 parsecs'"));
    }

    [TestCase(0, "0")]
    [TestCase(10_000, "10s")]
    [TestCase(1_500, "1500ms")]
    [TestCase(86_400_000, "86400s")]
    public void Format_RoundTripsThroughParse(long ms, string expected)
    {
        var text = Durations.Format(TimeSpan.FromMilliseconds(ms));

        Assert.That((text, (long)Durations.Parse(text).TotalMilliseconds), Is.EqualTo((expected, ms)));
    }
}
