using ClusterManager.Cli.Commands;

namespace ClusterManager.Cli.Tests.Commands;

public class ArgumentCursorTests
{
    [Test]
    public void TakeOption_FindsOptionsAnywhere_InBothForms()
    {
        var args = new ArgumentCursor(["WebIP", "--group", "web", "ocf:heartbeat:IPaddr2", "--wait=30"]);

        Assert.That(args.TakeOption("--group"), Is.EqualTo("web"));
        Assert.That(args.TakeOption("--wait"), Is.EqualTo("30"));
        Assert.That(args.Remaining, Is.EqualTo(new[] { "WebIP", "ocf:heartbeat:IPaddr2" }));
    }

    [Test]
    public void TakeNameValues_ReadsPcsStyleGroups_UntilTheNextKeyword()
    {
        // pcs resource create WebIP ocf:heartbeat:IPaddr2 ip=198.18.0.10 op monitor interval=10s meta k=v
        var args = new ArgumentCursor(
            ["WebIP", "ocf:heartbeat:IPaddr2", "ip=198.18.0.10", "cidr_netmask=24", "op", "monitor", "interval=10s",
             "timeout=", "meta", "k=a=b"]);

        var name = args.Take("resource id");
        var agent = args.Take("agent");
        var parameters = args.TakeNameValues();
        Assert.That(args.TakeKeyword("op"), Is.True);
        var operation = args.Take("operation name");
        var opValues = args.TakeNameValues();
        Assert.That(args.TakeKeyword("meta"), Is.True);
        var meta = args.TakeNameValues();
        args.EnsureEnd();

        Assert.That((name, agent, operation), Is.EqualTo(("WebIP", "ocf:heartbeat:IPaddr2", "monitor")));
        Assert.That(parameters.Select(p => $"{p.Key}={p.Value}"), Is.EqualTo(new[] { "ip=198.18.0.10", "cidr_netmask=24" }));
        Assert.That(opValues.Select(p => $"{p.Key}={p.Value}"), Is.EqualTo(new[] { "interval=10s", "timeout=" }));
        Assert.That(meta.Single(), Is.EqualTo(new KeyValuePair<string, string>("k", "a=b")));
    }

    [Test]
    public void TakeOption_IgnoresTokensAfterDoubleDash()
    {
        var args = new ArgumentCursor(["--", "--xml"]);

        Assert.That(args.TakeOption("--xml"), Is.Null);
        Assert.That(args.Take("value"), Is.EqualTo("--xml"));
    }

    [Test]
    public void TakeOption_Throws_WhenValueMissing()
    {
        var args = new ArgumentCursor(["--xml"]);

        Assert.That(() => args.TakeOption("--xml"), Throws.TypeOf<UsageException>().With.Message.Contains("--xml"));
    }

    [Test]
    public void EnsureEnd_NamesTheUnknownOption()
    {
        var args = new ArgumentCursor(["--bogus"]);

        Assert.That(args.EnsureEnd, Throws.TypeOf<UsageException>().With.Message.EqualTo("unknown option '--bogus'"));
    }

    [Test]
    public void TakeNameValues_Throws_OnMissingName()
    {
        var args = new ArgumentCursor(["=x"]);

        Assert.That(() => args.TakeNameValues(), Throws.TypeOf<UsageException>());
    }

    [TestCase(new[] { "D1", "--wait" }, true, null)]
    [TestCase(new[] { "--wait=30", "D1" }, true, "30")]
    [TestCase(new[] { "D1" }, false, null)]
    public void TakeFlagWithOptionalValue_NeverTakesTheNextToken(string[] tokens, bool given, string? value)
    {
        var args = new ArgumentCursor(tokens);

        Assert.That(args.TakeFlagWithOptionalValue("--wait"), Is.EqualTo((given, value)));
        Assert.That(args.Remaining, Is.EqualTo(new[] { "D1" }));
    }

    [Test]
    public void TakeFlagWithOptionalValue_RefusesTheFlagTwice() =>
        Assert.Throws<UsageException>(() => new ArgumentCursor(["--wait", "--wait=5"]).TakeFlagWithOptionalValue("--wait"));

    [TestCase(new[] { "--wait" }, 3600)]
    [TestCase(new[] { "--wait=45" }, 45)]
    public void TakeWait_ReadsSeconds_WithPcsDefault(string[] tokens, int seconds) =>
        Assert.That(ClusterCommand.TakeWait(new ArgumentCursor(tokens)), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("--wait=0")]
    [TestCase("--wait=soon")]
    public void TakeWait_RefusesNonPositiveSeconds(string token) =>
        Assert.Throws<UsageException>(() => ClusterCommand.TakeWait(new ArgumentCursor([token])));
}
