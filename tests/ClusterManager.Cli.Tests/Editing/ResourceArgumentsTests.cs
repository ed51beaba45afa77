using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Tests.Editing;

public class ResourceArgumentsTests
{
    private static ResourceArguments Parse(string line, bool allowClone = true) =>
        ResourceArguments.Parse(new ArgumentCursor(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)), allowClone);

    [Test]
    public void Parse_SplitsOptionsOperationsAndMeta_ForTheSeedCommand()
    {
        var parsed = Parse("ip=198.18.0.100 cidr_netmask=24 op monitor interval=10s meta resource-stickiness=100");

        Assert.That(parsed.Instance.Select(p => $"{p.Key}={p.Value}"), Is.EqualTo(new[] { "ip=198.18.0.100", "cidr_netmask=24" }));
        Assert.That(parsed.Operations.Select(o => o.Action), Is.EqualTo(new[] { "monitor" }));
        Assert.That(parsed.Operations[0]["interval"], Is.EqualTo("10s"));
        Assert.That(parsed.Meta.Select(p => $"{p.Key}={p.Value}"), Is.EqualTo(new[] { "resource-stickiness=100" }));
        Assert.That(parsed.Cloning, Is.Null);
    }

    [Test]
    public void Parse_ReadsSeveralOperations_AfterOneOp()
    {
        var parsed = Parse("op monitor interval=10s timeout=30s start timeout=60s op stop timeout=5s");

        Assert.That(parsed.Operations.Select(o => (o.Action, o["timeout"])),
            Is.EqualTo(new[] { ("monitor", "30s"), ("start", "60s"), ("stop", "5s") }));
    }

    [TestCase("clone", null, false, 0)]
    [TestCase("clone web-clone", "web-clone", false, 0)]
    [TestCase("clone clone-max=2 interleave=true", null, false, 2)]
    [TestCase("promotable ms-db promoted-max=1", "ms-db", true, 1)]
    public void Parse_ReadsClone_WithOptionalIdAndOptions(string line, string? id, bool promotable, int options)
    {
        var clone = Parse(line).Cloning;

        Assert.That(clone, Is.Not.Null);
        Assert.That((clone!.Id, clone.Promotable, clone.Options.Length), Is.EqualTo((id, promotable, options)));
    }

    [TestCase("op", "'op' needs an operation")]
    [TestCase("op interval=10s", "an operation action is expected")]
    [TestCase("meta", "'meta' needs name=value")]
    [TestCase("ip=1 frobnicate", "unexpected argument 'frobnicate'")]
    [TestCase("ip=1 --bogus", "unknown option '--bogus'")]
    [TestCase("bundle b1", "bundles are not supported")]
    [TestCase("clone clone", "'clone' or 'promotable' may be given only once")]
    [TestCase("=value", "a name is missing")]
    public void Parse_RefusesMalformedTails_NamingTheProblem(string line, string message)
    {
        var error = Assert.Throws<UsageException>(() => Parse(line));

        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void Parse_RefusesClone_WhenNotAllowed()
    {
        var error = Assert.Throws<UsageException>(() => Parse("clone", allowClone: false));

        Assert.That(error!.Message, Does.Contain("unexpected argument 'clone'"));
    }

    [TestCase("ocf:heartbeat:IPaddr2", "ocf", "heartbeat", "IPaddr2")]
    [TestCase("systemd:haproxy", "systemd", null, "haproxy")]
    [TestCase("systemd:getty@tty1", "systemd", null, "getty@tty1")]
    [TestCase("stonith:fence_virsh", "stonith", null, "fence_virsh")]
    [TestCase("lsb:nginx", "lsb", null, "nginx")]
    public void ParseFull_ReadsStandardProviderAndType(string text, string standard, string? provider, string type)
    {
        var name = AgentName.ParseFull(text);

        Assert.That(name, Is.EqualTo(new AgentName(standard, provider, type)));
        Assert.That(name!.ToString(), Is.EqualTo(text));
    }

    [Test]
    public void ParseFull_ReturnsNull_ForABareType() =>
        Assert.That(AgentName.ParseFull("IPaddr2"), Is.Null);

    [TestCase("ocf:IPaddr2", "ocf agents need a provider")]
    [TestCase("ocf::IPaddr2", "a part is empty")]
    [TestCase("upstart:foo", "unknown standard 'upstart'")]
    public void ParseFull_RefusesMalformedNames(string text, string message)
    {
        var error = Assert.Throws<UsageException>(() => AgentName.ParseFull(text));

        Assert.That(error!.Message, Does.Contain(message));
    }
}
