using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Commands;

public class CrmDateTests
{
    [TestCase("2014-05-07 00:28:00", "2014-05-07T00:28:00+00:00")]
    [TestCase("2014-05-07T00:28:00Z", "2014-05-07T00:28:00+00:00")]
    [TestCase("2005-020", "2005-01-20T00:00:00+00:00")]
    [TestCase("2005-020T12:30", "2005-01-20T12:30:00+00:00")]
    [TestCase("20050120", "2005-01-20T00:00:00+00:00")]
    [TestCase("2005-W03-4", "2005-01-20T00:00:00+00:00")]
    [TestCase("2009-W53-7", "2010-01-03T00:00:00+00:00")]
    [TestCase("2014-05-07T02:28:00+02:00", "2014-05-07T02:28:00+02:00")]
    [TestCase("2014-05-07T0228-0130", "2014-05-07T02:28:00-01:30")]
    public void TryParse_ReadsPacemakerDateForms(string text, string expected)
    {
        Assert.That(CrmDate.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("2005-13-01")]
    [TestCase("2005-367")]
    [TestCase("2005-02-30")]
    [TestCase("2005-01-01T25:00")]
    [TestCase("2005-W54-1")]
    public void TryParse_Rejects_WhatIsNotADate(string text)
    {
        Assert.That(CrmDate.TryParse(text, out _), Is.False);
    }
}
