using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Tests.Support;

namespace ClusterManager.Agents.Tests.Ocf;

/// <summary>Runs Debian's resource-agents scripts and small test agents for real.</summary>
public sealed class OcfScriptAgentTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static OcfScriptAgent Agent(string root = "/usr/lib/ocf") => new(new OcfOptions { OcfRoot = root }, TimeProvider.System);

    [Test]
    public async Task ExecuteAsync_FollowsDummyLifecycle_WithDebianDummyAgent()
    {
        using var dir = new TempDirectory();
        var agent = Agent();
        var request = AgentRequest.Create("cmt-dummy", "ocf:heartbeat:Dummy", AgentActions.Monitor, Timeout,
            [new("state", dir.File("dummy.state"))]);
        var seen = new List<(string, OcfExitCode, ExecStatus)>();
        foreach (var action in new[] { "monitor", "start", "monitor", "start", "stop", "monitor", "stop", "validate-all" })
        {
            var result = await agent.ExecuteAsync(request.WithAction(action), CancellationToken.None);
            seen.Add((action, result.Rc, result.Status));
        }

        Assert.That(seen, Is.EqualTo(new[]
        {
            ("monitor", OcfExitCode.NotRunning, ExecStatus.Done),
            ("start", OcfExitCode.Success, ExecStatus.Done),
            ("monitor", OcfExitCode.Success, ExecStatus.Done),
            ("start", OcfExitCode.Success, ExecStatus.Done),
            ("stop", OcfExitCode.Success, ExecStatus.Done),
            ("monitor", OcfExitCode.NotRunning, ExecStatus.Done),
            ("stop", OcfExitCode.Success, ExecStatus.Done),
            ("validate-all", OcfExitCode.Success, ExecStatus.Done),
        }));
    }

    [Test]
    public async Task ExecuteAsync_ReturnsUnimplemented_ForUnknownAction()
    {
        using var dir = new TempDirectory();
        var result = await Agent().ExecuteAsync(AgentRequest.Create("cmt-dummy", "ocf:heartbeat:Dummy", "frobnicate", Timeout,
            [new("state", dir.File("dummy.state"))]), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((OcfExitCode.Unimplemented, ExecStatus.Done)));
    }

    [Test]
    public async Task ExecuteAsync_ReturnsNotInstalled_WhenScriptMissing()
    {
        var result = await Agent().ExecuteAsync(AgentRequest.Create("x", "ocf:heartbeat:NoSuchAgent", "start", Timeout), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((OcfExitCode.NotInstalled, ExecStatus.NotInstalled)));
        Assert.That(result.ExitReason, Does.Contain("NoSuchAgent"));
    }

    [Test]
    public async Task ExecuteAsync_ReturnsNotInstalled_WhenScriptNotExecutable()
    {
        using var root = new TestOcfRoot();
        root.AddAgent("Plain", "exit 0");
        File.SetUnixFileMode(Path.Combine(root.Path, "resource.d", "cmtest", "Plain"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await Agent(root.Path).ExecuteAsync(AgentRequest.Create("p", "ocf:cmtest:Plain", "start", Timeout), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((OcfExitCode.NotInstalled, ExecStatus.NotInstalled)));
    }

    [Test]
    public async Task ExecuteAsync_ParsesMetadata_OfDebianIpaddr2()
    {
        var result = await Agent().ExecuteAsync(AgentRequest.Create("x", "ocf:heartbeat:IPaddr2", "meta-data", Timeout), CancellationToken.None);
        var metadata = AgentMetadata.Parse(result.Output);

        Assert.That(result.Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(metadata.Name, Is.EqualTo("IPaddr2"));
        var ip = metadata.Parameters.Single(p => p.Name == "ip");
        Assert.That((ip.Required, ip.Unique, ip.Type), Is.EqualTo((true, true, "string")));
        Assert.That(metadata.Parameters.Single(p => p.Name == "arp_count").Default, Is.EqualTo("5"));
        Assert.That(metadata.DefaultTimeout("start"), Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(metadata.MissingRequired(new Dictionary<string, string> { ["nic"] = "eth0" }), Is.EqualTo(new[] { "ip" }));
    }

    // The two Dummy scripts Debian ships: heartbeat's is an OCF 1.0 agent with a legacy reload (its unique
    // parameter needs a restart), pacemaker's an OCF 1.1 agent with reload-agent (all but state are reloadable).
    [TestCase("ocf:heartbeat:Dummy", "reload", new[] { "state" })]
    [TestCase("ocf:pacemaker:Dummy", "reload-agent", new[] { "state" })]
    public async Task Reload_FollowsMetadata_OfDebianDummyAgents(string agent, string action, string[] restart)
    {
        var result = await Agent().ExecuteAsync(AgentRequest.Create("x", agent, "meta-data", Timeout), CancellationToken.None);

        var reload = AgentMetadata.Parse(result.Output).Reload;

        Assert.That(reload, Is.Not.Null);
        Assert.That((reload!.Action, reload.RestartParameters), Is.EqualTo((action, restart)));
    }

    [Test]
    public async Task Reload_IsNull_WhenAgentHasNoReloadAction()
    {
        var result = await Agent().ExecuteAsync(AgentRequest.Create("x", "ocf:heartbeat:IPaddr2", "meta-data", Timeout), CancellationToken.None);

        Assert.That(AgentMetadata.Parse(result.Output).Reload, Is.Null);
    }

    [Test]
    public void Reload_IsNull_WhenOcf11AgentOffersOnlyLegacyReload()
    {
        const string xml = "<resource-agent name=\"x\"><version>1.1</version><parameters><parameter name=\"a\" reloadable=\"1\"/></parameters>" +
                           "<actions><action name=\"reload\" timeout=\"20s\"/></actions></resource-agent>";

        Assert.That(AgentMetadata.Parse(xml).Reload, Is.Null);
    }

    [Test]
    public async Task ExecuteAsync_ReportsLastExitReasonAndRc_FromAgentStderr()
    {
        using var root = new TestOcfRoot();
        root.AddAgent("Reason", "echo 'some log' >&2\necho 'ocf-exit-reason:first' >&2\necho 'ocf-exit-reason:bad ip given' >&2\necho hello\nexit 6");

        var result = await Agent(root.Path).ExecuteAsync(AgentRequest.Create("r", "ocf:cmtest:Reason", "start", Timeout), CancellationToken.None);

        Assert.That((result.Rc, result.Status, result.ExitReason), Is.EqualTo((OcfExitCode.NotConfigured, ExecStatus.Done, "bad ip given")));
        Assert.That(result.Output, Is.EqualTo("hello\n"));
    }

    [Test]
    public async Task ExecuteAsync_PassesPacemakerEnvironment_ToAgent()
    {
        using var root = new TestOcfRoot();
        root.AddAgent("Env", "env");
        var request = AgentRequest.Create("web-ip", "ocf:cmtest:Env", "monitor", TimeSpan.FromSeconds(20),
            [new("ip", "198.18.0.100")], interval: TimeSpan.FromSeconds(10)) with
        {
            Meta = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("migration-threshold", "3"),
        };

        var result = await Agent(root.Path).ExecuteAsync(request, CancellationToken.None);
        var env = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2))
            .Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);

        Assert.That(env, Does.ContainKey("OCF_ROOT").WithValue(root.Path));
        Assert.That(env, Does.ContainKey("OCF_RESOURCE_INSTANCE").WithValue("web-ip"));
        Assert.That(env, Does.ContainKey("OCF_RESOURCE_TYPE").WithValue("Env"));
        Assert.That(env, Does.ContainKey("OCF_RESOURCE_PROVIDER").WithValue("cmtest"));
        Assert.That(env, Does.ContainKey("OCF_RESKEY_ip").WithValue("198.18.0.100"));
        Assert.That(env, Does.ContainKey("OCF_RESKEY_CRM_meta_timeout").WithValue("20000"));
        Assert.That(env, Does.ContainKey("OCF_RESKEY_CRM_meta_interval").WithValue("10000"));
        Assert.That(env, Does.ContainKey("OCF_RESKEY_CRM_meta_migration_threshold").WithValue("3"));
        Assert.That(env, Does.ContainKey("HA_RSCTMP").WithValue("/run/resource-agents"));
    }

    [Test]
    public async Task ExecuteAsync_KillsProcessGroupAndReportsTimeout_WhenAgentOverrunsTimeout()
    {
        using var root = new TestOcfRoot();
        var pids = root.Scratch("pids");
        root.AddAgent("Hang", $"sleep 300 &\necho $! > {pids}.bg\nsleep 300 &\necho $! > {pids}.fg\necho $$ > {pids}.self\nwait");

        var result = await Agent(root.Path).ExecuteAsync(AgentRequest.Create("h", "ocf:cmtest:Hang", "start", TimeSpan.FromSeconds(2)), CancellationToken.None);
        var started = new[] { ".bg", ".fg", ".self" }.Select(s => int.Parse(File.ReadAllText(pids + s).Trim())).ToArray();

        Assert.That(result.Status, Is.EqualTo(ExecStatus.Timeout));
        Assert.That(result.Rc, Is.EqualTo(OcfExitCode.GenericError));
        Assert.That(await Processes.EventuallyAsync(() => started.All(p => !Processes.IsAlive(p))), Is.True,
            $"processes still alive: {string.Join(',', started.Where(Processes.IsAlive))}");
    }

    [Test]
    public async Task ExecuteAsync_CompletesAtAgentExit_WhileBackgroundChildHoldsOutput()
    {
        using var root = new TestOcfRoot();
        var pid = root.Scratch("bg.pid");
        // Like IPaddr2's backgrounded send_arp: a child that outlives the agent with the agent's stdout and stderr.
        root.AddAgent("Background", $"sleep 60 &\necho $! > {pid}\necho started\nexit 0");

        var result = await Agent(root.Path).ExecuteAsync(AgentRequest.Create("b", "ocf:cmtest:Background", "start", TimeSpan.FromSeconds(30)), CancellationToken.None);
        var child = int.Parse(File.ReadAllText(pid).Trim());
        var childAliveAtCompletion = Processes.IsAlive(child);
        Interop.Libc.kill(child, Interop.Libc.SigKill);

        Assert.That((result.Rc, result.Status, result.Output), Is.EqualTo((OcfExitCode.Success, ExecStatus.Done, "started\n")));
        Assert.That(childAliveAtCompletion, Is.True);
    }

    [TestCase("exit 1", OcfExitCode.GenericError, ExecStatus.Done)]
    [TestCase("exit 7", OcfExitCode.NotRunning, ExecStatus.Done)]
    [TestCase("exit 8", OcfExitCode.RunningPromoted, ExecStatus.Done)]
    [TestCase("exit 190", OcfExitCode.Degraded, ExecStatus.Done)]
    [TestCase("exit 42", OcfExitCode.GenericError, ExecStatus.Done)]
    [TestCase("kill -9 $$", OcfExitCode.GenericError, ExecStatus.Error)]
    public async Task ExecuteAsync_MapsExitStatus_ToOcfCode(string body, OcfExitCode rc, ExecStatus status)
    {
        using var root = new TestOcfRoot();
        root.AddAgent("Exit", body);

        var result = await Agent(root.Path).ExecuteAsync(AgentRequest.Create("e", "ocf:cmtest:Exit", "monitor", Timeout), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((rc, status)));
    }
}
