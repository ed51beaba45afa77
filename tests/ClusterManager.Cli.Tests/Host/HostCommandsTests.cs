using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Commands.Host;

namespace ClusterManager.Cli.Tests.Host;

public class HostCommandsTests
{
    [TestCase(new[] { "node1", "addr=198.18.0.11" }, "node1", "198.18.0.11", 2224)]
    [TestCase(new[] { "node1", "addr=198.18.0.11:2230" }, "node1", "198.18.0.11", 2230)]
    [TestCase(new[] { "198.18.0.12" }, "198.18.0.12", "198.18.0.12", 2224)]
    [TestCase(new[] { "n6", "addr=[2001:db8::6]:2225" }, "n6", "2001:db8::6", 2225)]
    [TestCase(new[] { "n6", "addr=2001:db8::6" }, "n6", "2001:db8::6", 2224)]
    public void ParseTargets_ReadsAddressAndPort_AsPcs(string[] args, string name, string address, int port)
    {
        var target = HostCommands.ParseTargets(new ArgumentCursor(args)).Single();

        Assert.That(target.Name, Is.EqualTo(name));
        Assert.That(target.Address.ToString(), Is.EqualTo(address));
        Assert.That(target.Port, Is.EqualTo(port));
    }

    [TestCase(new[] { "node1" }, "node node1: give addr=IP (hactl never looks node names up in DNS)")]
    [TestCase(new[] { "node1", "addr=node1.example" }, "addr=node1.example is not an IP address")]
    [TestCase(new[] { "node1", "addr=198.18.0.1", "addr=198.18.0.2" }, "addr= is given more than once")]
    [TestCase(new[] { "node1", "port=2224" }, "unknown option 'port'")]
    [TestCase(new[] { "n1", "addr=198.18.0.1", "n1", "addr=198.18.0.2" }, "node n1 is given more than once")]
    [TestCase(new string[0], "give at least one node")]
    public void ParseTargets_Refuses_WithClearMessage(string[] args, string message)
    {
        Assert.That(() => HostCommands.ParseTargets(new ArgumentCursor(args)), Throws.TypeOf<UsageException>().With.Message.Contains(message));
    }

    [Test]
    public void HostAuth_NeedsPassword_WithoutATerminal()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = Cli.Hactl.Run(["host", "auth", "node1", "addr=198.18.0.11", "-u", "hacluster"], stdout, stderr, TimeProvider.System, HactlHost.Isolated);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(stderr.ToString(), Does.StartWith("error: -p PASSWORD is needed (no terminal to ask for it)"));
    }

    [Test]
    public void ClusterStart_NamesTheNodes_WithoutToken()
    {
        var dir = Directory.CreateTempSubdirectory("cmt-host-kh-").FullName;
        try
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var host = HactlHost.Isolated with { GetVariable = n => n == "HACTL_KNOWN_HOSTS" ? Path.Combine(dir, "known-hosts") : null };

            var code = Cli.Hactl.Run(["cluster", "start", "node1", "node2"], stdout, stderr, TimeProvider.System, host);

            Assert.That(code, Is.EqualTo(ExitCodes.Failure));
            Assert.That(stderr.ToString(), Does.StartWith("error: not authenticated to node1, node2"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
