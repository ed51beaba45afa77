using ClusterManager.Policy.Rules;

namespace ClusterManager.Policy.Tests.Rules;

public sealed class CrmTimeTests
{
    [TestCase("2005-01-20", "2005-01-20T00:00:00+00:00")]
    [TestCase("20050120", "2005-01-20T00:00:00+00:00")]
    [TestCase("2005-01-20 12:34:56", "2005-01-20T12:34:56+00:00")]
    [TestCase("2005-01-20T12:34:56Z", "2005-01-20T12:34:56+00:00")]
    [TestCase("2005-01-20T12:34", "2005-01-20T12:34:00+00:00")]
    [TestCase("2019-09-20 15:00:00 +00:00", "2019-09-20T15:00:00+00:00")]
    [TestCase("2019-09-20 15:00:00 +02:00", "2019-09-20T15:00:00+02:00")]
    [TestCase("2005-01-20T123456", "2005-01-20T12:34:56+00:00")]
    [TestCase("2005-01-20T12:34:56+02:00", "2005-01-20T12:34:56+02:00")]
    [TestCase("2005-01-20T12:34:56-0530", "2005-01-20T12:34:56-05:30")]
    [TestCase("2005-01-20T12:34:56+01", "2005-01-20T12:34:56+01:00")]
    [TestCase("2005-001", "2005-01-01T00:00:00+00:00")]
    [TestCase("2005001", "2005-01-01T00:00:00+00:00")]
    [TestCase("2005-32", "2005-02-01T00:00:00+00:00")]
    [TestCase("2005-1-2", "2005-01-02T00:00:00+00:00")]
    [TestCase("2004-366", "2004-12-31T00:00:00+00:00")]
    [TestCase("2005-W01-1", "2005-01-03T00:00:00+00:00")]
    [TestCase("2004-W53-7", "2005-01-02T00:00:00+00:00")]
    [TestCase("2009-W01-1", "2008-12-29T00:00:00+00:00")]
    [TestCase("2005-W10", "2005-03-07T00:00:00+00:00")]
    [TestCase("2005-W10-3T10:00:00Z", "2005-03-09T10:00:00+00:00")]
    public void TryParse_ReadsPacemakerDates(string text, string expected)
    {
        var ok = CrmTime.TryParse(text, out var value);

        Assert.That((ok, value), Is.EqualTo((true, DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("2005-13-01")]
    [TestCase("2005-02-30")]
    [TestCase("2005-366")]
    [TestCase("2005-W53-1")]
    [TestCase("2005-W01-8")]
    [TestCase("2005-01-20T25:00:00")]
    [TestCase("2005-01-20T12:60:00")]
    [TestCase("2005-01-20T12:00:00+99:00")]
    public void TryParse_RejectsInvalidDates(string text)
    {
        Assert.That(CrmTime.TryParse(text, out _), Is.False);
    }
}
