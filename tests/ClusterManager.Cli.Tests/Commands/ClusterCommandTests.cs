using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Tests.Support;

namespace ClusterManager.Cli.Tests.Commands;

/// <summary>What every cluster command does before and without a cluster: help, usage errors, confirmations, unreachable servers.</summary>
public class ClusterCommandTests
{
    // Port 1 on loopback: nothing listens there, so a connection attempt fails at once.
    private const string Nowhere = "127.0.0.1:1";

    private static IEnumerable<string> CommandNames() =>
        Hactl.CreateCommands().Commands.Where(c => c.Words[0] != "simulate").Select(c => c.Name);

    private static (int Code, string Out, string Err) Run(HactlHost host, params string[] args) => HactlRun.Run(host, args);

    private static (int Code, string Out, string Err) Run(params string[] args) => HactlRun.Run(args);

    [TestCaseSource(nameof(CommandNames))]
    public void Help_PrintsUsage_ForEveryCommand(string name)
    {
        var (code, output, _) = Run([.. name.Split(' '), "--help"]);

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.StartWith("Usage: hactl"));
    }

    [TestCase("resource", "delete", "VirtualIP")]
    [TestCase("stonith", "delete", "fence1")]
    [TestCase("constraint", "delete", "location-VirtualIP-n1-INFINITY")]
    [TestCase("constraint", "remove", "c1", "c2")]
    [TestCase("constraint", "colocation", "delete", "A", "B")]
    [TestCase("constraint", "order", "remove", "A")]
    public void DestructiveCommands_Refuse_WithoutYesAndWithoutTerminal(params string[] args)
    {
        var (code, output, error) = Run([.. args, "--server", Nowhere]);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("confirmation needed; run it again with --yes (not asked: no terminal)"));
        Assert.That(output, Is.Empty);
    }

    [TestCase("n", ExitCodes.Failure, "Aborted: nothing was changed")]
    [TestCase("", ExitCodes.Failure, "Aborted: nothing was changed")]
    [TestCase("yes", ExitCodes.Failure, "cannot reach clusterd at 127.0.0.1:1")]
    public void DestructiveCommands_Ask_OnATerminal(string answer, int code, string message)
    {
        var host = HactlHost.Isolated with { IsInteractive = true, Input = new StringReader(answer + "\n") };

        var result = Run(host, "resource", "delete", "VirtualIP", "--server", Nowhere);

        Assert.That(result.Out, Does.StartWith("Delete resource 'VirtualIP' and the constraints that name it? [y/N] "));
        Assert.That((result.Code, result.Err), Is.EqualTo((code, result.Err)));
        Assert.That(result.Err, Does.Contain(message));
    }

    [TestCase("status")]
    [TestCase("property", "set", "stonith-enabled=true")]
    [TestCase("resource", "create", "D", "ocf:heartbeat:Dummy", "--disabled")]
    [TestCase("history")]
    public void ClusterCommands_Fail_WhenClusterdCannotBeReached(params string[] args)
    {
        var (code, _, error) = Run([.. args, "--server", Nowhere, "--request-timeout", "5"]);

        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(error, Does.StartWith("error: cannot reach clusterd at 127.0.0.1:1 (from --server): "));
    }

    [TestCase(new[] { "resource", "create", "D" }, "missing resource agent")]
    [TestCase(new[] { "resource", "create", "1D", "ocf:heartbeat:Dummy" }, "'1D' is not a valid id")]
    [TestCase(new[] { "resource", "create", "D", "ocf:heartbeat:Dummy", "op", "monitor", "interval=often" }, "'often' is not a valid interval value")]
    [TestCase(new[] { "resource", "create", "D", "ocf:heartbeat:Dummy", "clone", "--group", "G" }, "--group and clone/promotable cannot be used together")]
    [TestCase(new[] { "constraint", "location", "D", "likes", "n1" }, "expected 'prefers' or 'avoids'")]
    [TestCase(new[] { "constraint", "location", "D", "prefers", "n1=-5" }, "give a positive score")]
    [TestCase(new[] { "constraint", "order", "A", "before", "B" }, "expected 'then'")]
    [TestCase(new[] { "property", "set" }, "give properties as NAME=VALUE")]
    [TestCase(new[] { "property", "set", "a=1", "a=2" }, "property 'a' is given more than once")]
    [TestCase(new[] { "status", "--output", "yaml" }, "unknown output format 'yaml'")]
    [TestCase(new[] { "status", "--bogus" }, "unknown option '--bogus'")]
    [TestCase(new[] { "node", "standby", "n1", "--all" }, "give node names or --all, not both")]
    [TestCase(new[] { "resource", "cleanup", "D", "operation=monitor" }, "operation= is not supported")]
    [TestCase(new[] { "history", "--limit", "many" }, "--limit 'many' is not a number")]
    public void ClusterCommands_RefuseBadUsage_WithExitCode2(string[] args, string message)
    {
        var (code, _, error) = Run([.. args, "--server", Nowhere]);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.StartWith($"error: ").And.Contain(message));
    }

    [Test]
    public void ResourceCreate_RefusesAnAmbiguousBareType()
    {
        var (code, _, error) = Run("resource", "create", "D", "Dummy", "--server", Nowhere);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("multiple agents match 'Dummy', please specify full name: 'ocf:heartbeat:Dummy' or 'ocf:pacemaker:Dummy'"));
    }

    [Test]
    public void ResourceCreate_RefusesAnUnknownAgentOption_FromTheAgentsMetadata()
    {
        var (code, _, error) = Run("resource", "create", "VirtualIP", "ocf:heartbeat:IPaddr2", "ip=198.18.0.100", "netmask=24", "--server", Nowhere);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.StartWith("error: invalid resource option 'netmask' for ocf:heartbeat:IPaddr2, allowed options are: 'ip',"));
    }

    [Test]
    public void ResourceCreate_RefusesAMissingRequiredOption_FromTheAgentsMetadata()
    {
        var (code, _, error) = Run("resource", "create", "VirtualIP", "IPaddr2", "cidr_netmask=24", "--server", Nowhere);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Is.EqualTo("Assumed agent name 'ocf:heartbeat:IPaddr2' (deduced from 'IPaddr2')\nerror: required resource option 'ip' of ocf:heartbeat:IPaddr2 is missing (use --force to override)\n"));
    }

    [TestCase("resource", "frobnicate")]
    [TestCase("stonith", "show")]
    [TestCase("constraint", "frobnicate")]
    [TestCase("property", "frobnicate")]
    public void UnknownSubcommand_NamesBothWords(string family, string word)
    {
        var (code, _, error) = Run(family, word, "--server", Nowhere);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.StartWith($"error: unknown command '{family} {word}'"));
    }
}
