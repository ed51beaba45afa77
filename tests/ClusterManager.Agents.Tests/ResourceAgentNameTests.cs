namespace ClusterManager.Agents.Tests;

public sealed class ResourceAgentNameTests
{
    [TestCase("ocf:heartbeat:IPaddr2", "ocf", "heartbeat", "IPaddr2")]
    [TestCase("systemd:haproxy", "systemd", null, "haproxy")]
    [TestCase("systemd:getty@tty1.service", "systemd", null, "getty@tty1.service")]
    [TestCase("stonith:fence_ipmilan", "stonith", null, "fence_ipmilan")]
    public void Parse_SplitsParts_ForValidNames(string text, string cls, string? provider, string type)
    {
        var name = ResourceAgentName.Parse(text);

        Assert.That((name.Class, name.Provider, name.Type), Is.EqualTo((cls, provider, type)));
        Assert.That(name.ToString(), Is.EqualTo(text));
    }

    [TestCase("ocf:Dummy", "needs a provider")]
    [TestCase("lsb:foo", "not supported")]
    [TestCase("ocf::Dummy", "empty part")]
    [TestCase("stonith:fence:x", "not supported")]
    public void Parse_Throws_ForInvalidNames(string text, string message)
    {
        Assert.That(() => ResourceAgentName.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains(message));
    }
}
