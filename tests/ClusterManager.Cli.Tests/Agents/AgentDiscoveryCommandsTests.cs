using System.Text.Json;
using ClusterManager.Cli.Commands.Agents;

namespace ClusterManager.Cli.Tests.Agents;

/// <summary>
/// hactl resource standards/providers/agents/list/describe against the agents installed here (Debian's
/// resource-agents and ClusterManager's native agents). Expected texts are what pcs 0.11.5 prints for the same
/// agents (checked side by side), plus hactl's "(default: X)".
/// </summary>
public class AgentDiscoveryCommandsTests
{
    private const string DummyLongDescription =
        "This is a Dummy Resource Agent. It does absolutely nothing except  keep track of whether its running or not. "
        + "Its purpose in life is for testing and to serve as a template for RA writers.  NB: Please pay attention to the "
        + "timeouts specified in the actions section below. They should be meaningful for the kind of resource the agent "
        + "manages. They should be the minimum advised timeouts, but they shouldn't/cannot cover _all_ possible resource "
        + "instances. So, try to be neither overly generous nor too stingy, but moderate. The minimum timeouts should "
        + "never be below 10 seconds.";

    [Test]
    public async Task Standards_ListsOcfAndStonith_WithoutSystemdWhenItDoesNotRun()
    {
        var run = await LocalHactl.RunAsync("resource", "standards");

        Assert.That((run.ExitCode, run.Out), Is.EqualTo((0, "ocf\nstonith\n")));
    }

    [Test]
    public async Task Standards_ListsSystemd_WhenSystemdRuns()
    {
        var run = await LocalHactl.RunAsync(LocalHactl.Settings(systemdRunning: true), "resource", "standards");

        Assert.That(run.Out, Is.EqualTo("ocf\nstonith\nsystemd\n"));
    }

    [Test]
    public async Task Providers_ListsInstalledAndNativeProviders_CaseInsensitivelySorted()
    {
        var run = await LocalHactl.RunAsync("resource", "providers");

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.OutLines[..^1], Is.SupersetOf(new[] { "clustermanager", "heartbeat" }).And.Ordered.Using((IComparer<string>)StringComparer.OrdinalIgnoreCase));
    }

    [TestCase("ocf:clustermanager", "IPaddr2\nvrrp\n")]
    [TestCase("ocf:clustermanager:", "IPaddr2\nvrrp\n")]
    public async Task Agents_ListsTypesOfProvider_ForStandardAndProvider(string spec, string expected)
    {
        var run = await LocalHactl.RunAsync("resource", "agents", spec);

        Assert.That((run.ExitCode, run.Out), Is.EqualTo((0, expected)));
    }

    [TestCase("ocf:heartbeat", "Dummy")]
    [TestCase("ocf", "IPaddr2")]
    [TestCase("stonith", "fence_cm_ipmi")]
    public async Task Agents_ListsInstalledAgents_CaseInsensitivelySorted(string spec, string expected)
    {
        var run = await LocalHactl.RunAsync("resource", "agents", spec);

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.OutLines[..^1], Does.Contain(expected).And.Ordered.Using(LocalAgents.CaseInsensitiveFirst));
    }

    [Test]
    public async Task Agents_ListsSystemdServices_FromUnitFilesWithoutTemplates()
    {
        var units = Directory.CreateTempSubdirectory("cmt-cli-units-");
        try
        {
            foreach (var file in new[] { "haproxy.service", "getty@.service", "sshd.socket", "cron.service" })
            {
                await File.WriteAllTextAsync(Path.Combine(units.FullName, file), "[Unit]\n");
            }

            var run = await LocalHactl.RunAsync(LocalHactl.Settings(systemdRunning: true, unitDirectories: [units.FullName]),
                "resource", "agents", "systemd");

            Assert.That((run.ExitCode, run.Out), Is.EqualTo((0, "cron\nhaproxy\n")));
        }
        finally
        {
            units.Delete(recursive: true);
        }
    }

    [TestCase("nope")]
    [TestCase("ocf:nope")]
    [TestCase("systemd")]
    public async Task Agents_FailsNamingTheSpec_WhenNoAgentIsFound(string spec)
    {
        var run = await LocalHactl.RunAsync("resource", "agents", spec);

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((1, $"error: No agents found for {spec}\n")));
    }

    [Test]
    public async Task List_PrintsFullNamesWithDescriptions_WrappedAsPcs()
    {
        var run = await LocalHactl.RunAsync("resource", "list", "ipaddr");

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((0, "")));
        Assert.That(run.Out, Is.EqualTo(
            "ocf:clustermanager:IPaddr2 - Manages a floating IP address (native)\n"
            + "ocf:heartbeat:IPaddr - Manages virtual IPv4 addresses (portable version)\n"
            + "ocf:heartbeat:IPaddr2 - Manages virtual IPv4 and IPv6 addresses (Linux specific\n"
            + "                        version)\n"));
    }

    [Test]
    public async Task List_PrintsNamesOnly_WithNodesc()
    {
        var run = await LocalHactl.RunAsync("resource", "list", "--nodesc");

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.OutLines, Does.Contain("ocf:heartbeat:Dummy").And.Contain("ocf:clustermanager:IPaddr2"));
        Assert.That(run.OutLines, Has.None.Contains(" - "));
        Assert.That(run.OutLines[..^1], Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task List_Fails_WhenNothingMatchesTheFilter()
    {
        var run = await LocalHactl.RunAsync("resource", "list", "no-such-agent");

        Assert.That((run.ExitCode, run.Out, run.Error), Is.EqualTo((1, "", "error: No resource agents matching the filter.\n")));
    }

    [Test]
    public async Task Describe_PrintsDummyAsPcs_WithDefaults()
    {
        var run = await LocalHactl.RunAsync("resource", "describe", "ocf:heartbeat:Dummy");

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((0, "")));
        Assert.That(run.Out, Is.EqualTo($"""
            ocf:heartbeat:Dummy - Example stateless resource agent

            {DummyLongDescription}

            Resource options:
              state (unique) (default: /run/resource-agents/Dummy-RESOURCE_ID.state): Location to store the resource state in.
              fake (default: dummy): Fake attribute that can be changed to cause a reload

            Default operations:
              start:
                interval=0s
                timeout=20s
              stop:
                interval=0s
                timeout=20s
              monitor:
                interval=10s
                timeout=20s
              reload:
                interval=0s
                timeout=20s
              migrate_to:
                interval=0s
                timeout=20s
              migrate_from:
                interval=0s
                timeout=20s

            """));
    }

    [Test]
    public async Task Describe_ShowsTraceOptions_OnlyWithFull()
    {
        var brief = await LocalHactl.RunAsync("resource", "describe", "ocf:heartbeat:Dummy");
        var full = await LocalHactl.RunAsync("resource", "describe", "ocf:heartbeat:Dummy", "--full");

        Assert.That(brief.Out, Does.Not.Contain("trace_ra"));
        Assert.That(full.OutLines, Does.Contain("  trace_file: Path to a file to store resource agent tracing log"));
        Assert.That(full.OutLines.Single(l => l.StartsWith("  trace_ra", StringComparison.Ordinal)),
            Does.StartWith("  trace_ra (default: 0): Set to 1 to turn on resource agent tracing"));
    }

    [Test]
    public async Task Describe_PrintsHeartbeatIpaddr2_RequiredParameterAndDefaultOperations()
    {
        var run = await LocalHactl.RunAsync("resource", "describe", "ocf:heartbeat:IPaddr2");
        var lines = run.OutLines;

        Assert.That(lines[0], Is.EqualTo("ocf:heartbeat:IPaddr2 - Manages virtual IPv4 and IPv6 addresses (Linux specific version)"));
        Assert.That(lines, Has.Some.StartsWith("  ip (required) (unique): The IPv4 (dotted quad notation) or IPv6 address"));
        Assert.That(lines, Has.Some.StartsWith("  arp_count (default: 5): Number of unsolicited ARP (IPv4) or NA (IPv6) packets"));
        Assert.That(lines, Has.Some.StartsWith("  network_namespace: Specifies the network namespace to operate within."));
        Assert.That(string.Join('\n', lines.SkipWhile(l => l != "Default operations:")), Is.EqualTo("""
            Default operations:
              start:
                interval=0s
                timeout=20s
              stop:
                interval=0s
                timeout=20s
              monitor:
                interval=10s
                timeout=20s

            """));
    }

    [Test]
    public async Task Describe_PrintsNativeIpaddr2_WithoutTraceOptionsEvenWithFull()
    {
        var run = await LocalHactl.RunAsync("resource", "describe", "ocf:clustermanager:IPaddr2", "--full");
        var lines = run.OutLines;

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(lines[0], Is.EqualTo("ocf:clustermanager:IPaddr2 - Manages a floating IP address (native)"));
        Assert.That(lines, Does.Contain("  ip (required) (unique): The IPv4 or IPv6 address.")
            .And.Contain("  run_arping (default: true): Probe before start and refuse an IPv4 address another host answers for.")
            .And.Contain("  network_namespace: Network namespace (ip netns name) that holds the interface."));
        Assert.That(run.Out, Does.Not.Contain("trace_ra").And.EndWith("  monitor:\n    interval=10s\n    timeout=20s\n"));
    }

    [Test]
    public async Task Describe_WritesJson_WithEveryParameterAndTheDefaultActions()
    {
        var run = await LocalHactl.RunAsync("resource", "describe", "ocf:heartbeat:Dummy", "--output", "json");
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        var parameters = root.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        var monitor = root.GetProperty("default_actions").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "monitor");

        Assert.That((root.GetProperty("name").GetString(), root.GetProperty("provider").GetString()), Is.EqualTo(("ocf:heartbeat:Dummy", "heartbeat")));
        Assert.That(parameters.Keys, Is.EqualTo(new[] { "state", "fake", "trace_ra", "trace_file" }));
        Assert.That((parameters["state"].GetProperty("unique").GetBoolean(), parameters["trace_ra"].GetProperty("advanced").GetBoolean()), Is.EqualTo((true, true)));
        Assert.That(parameters["fake"].GetProperty("default").GetString(), Is.EqualTo("dummy"));
        Assert.That((monitor.GetProperty("interval").GetString(), monitor.GetProperty("timeout").GetString()), Is.EqualTo(("10s", "20s")));
    }

    [Test]
    public async Task Describe_GuessesTheFullName_WhenOneAgentHasTheType()
    {
        var run = await LocalHactl.RunAsync("resource", "describe", "ipaddr");

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Error, Is.EqualTo("Assumed agent name 'ocf:heartbeat:IPaddr' (deduced from 'ipaddr')\n"));
        Assert.That(run.OutLines[0], Is.EqualTo("ocf:heartbeat:IPaddr - Manages virtual IPv4 addresses (portable version)"));
    }

    [TestCase("IPaddr2", 1, "error: Multiple agents match 'IPaddr2', please specify full name: 'ocf:clustermanager:IPaddr2' or 'ocf:heartbeat:IPaddr2'\n")]
    [TestCase("NoSuchAgent", 1, "error: Unable to find agent 'NoSuchAgent', try specifying its full name\n")]
    [TestCase("ocf:heartbeat:NoSuchAgent", 1,
        "error: Agent 'ocf:heartbeat:NoSuchAgent' is not installed or does not provide valid metadata: OCF agent ocf:heartbeat:NoSuchAgent "
        + "is not installed (/usr/lib/ocf/resource.d/heartbeat/NoSuchAgent is missing or not executable)\n")]
    [TestCase("systemd:haproxy", 1,
        "error: Agent 'systemd:haproxy' is not installed or does not provide valid metadata: agent class systemd is not available on this node\n")]
    [TestCase("foo:bar", 2, "error: invalid resource agent name: agent class 'foo' in 'foo:bar' is not supported (ocf, systemd, stonith)\n")]
    [TestCase("ocf:Dummy", 2, "error: invalid resource agent name: agent name 'ocf:Dummy' needs a provider: ocf:PROVIDER:TYPE\n")]
    [TestCase("stonith:fence_ipmilan", 2, "error: 'stonith:fence_ipmilan' is a fence agent: use 'hactl stonith describe fence_ipmilan'\n")]
    public async Task Describe_FailsWithMessage_ForUnknownOrBadAgentNames(string name, int exitCode, string error)
    {
        var run = await LocalHactl.RunAsync("resource", "describe", name);

        Assert.That((run.ExitCode, run.Out, run.Error), Is.EqualTo((exitCode, "", error)));
    }

    [Test]
    public async Task Describe_ReportsTheBusProblem_WhenSystemdRunsButItsBusIsUnreachable()
    {
        var run = await LocalHactl.RunAsync(LocalHactl.Settings(systemdRunning: true), "resource", "describe", "systemd:haproxy");

        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Error, Does.StartWith(
            "error: Agent 'systemd:haproxy' is not installed or does not provide valid metadata: systemd D-Bus at unix:path=/nonexistent/cmt-cli-bus unavailable"));
    }

    [TestCase("--output", "yaml", "error: unknown output format 'yaml' (use text or json)\n")]
    [TestCase("--bogus", null, "error: unknown option '--bogus'\n")]
    public async Task Describe_FailsAsUsageError_ForBadOptions(string option, string? value, string error)
    {
        string[] args = value is null
            ? ["resource", "describe", "ocf:heartbeat:Dummy", option]
            : ["resource", "describe", "ocf:heartbeat:Dummy", option, value];

        var run = await LocalHactl.RunAsync(args);

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((2, error)));
    }
}
