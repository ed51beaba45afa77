using ClusterManager.Agents.Execution;
using ClusterManager.Agents.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Agents.Tests.Systemd;

/// <summary>The systemd class against a real systemd (PID 1 of a systemd-nspawn container) over its D-Bus system bus.</summary>
[NonParallelizable]
public sealed class SystemdAgentTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private SystemdLab _lab = null!;
    private SystemdAgent _agent = null!;

    [OneTimeSetUp]
    public void BootSystemd()
    {
        _lab = new SystemdLab(new Dictionary<string, string>
        {
            ["cmt-ok.service"] = "[Service]\nExecStart=/bin/sleep infinity\n",
            ["cmt-fail.service"] = "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'exit 3'\n",
            // Restart=always would have systemd restart it; the cluster's drop-in must turn that off.
            ["cmt-crash.service"] = "[Service]\nExecStart=/bin/sh -c 'sleep 1; exit 7'\nRestart=always\nRestartSec=100ms\n",
            ["cmt-slow.service"] = "[Service]\nExecStartPre=/bin/sleep 5\nExecStart=/bin/sleep infinity\n",
        });
        _agent = new SystemdAgent(new SystemdOptions { BusAddress = _lab.BusAddress, DropInDirectory = _lab.DropInDirectory }, TimeProvider.System);
    }

    [OneTimeTearDown]
    public async Task HaltSystemd()
    {
        await _agent.DisposeAsync();
        _lab.Dispose();
    }

    [Test]
    public async Task ExecuteAsync_StartsMonitorsAndStopsUnit_WithDropIn()
    {
        var request = Request("cmt-ok", "monitor");
        var seen = new List<(string, OcfExitCode)>();
        string? restartWhileStarted = null;
        foreach (var action in new[] { "monitor", "start", "monitor", "start", "stop", "monitor", "stop" })
        {
            var result = await _agent.ExecuteAsync(request.WithAction(action), CancellationToken.None);
            seen.Add((action, result.Rc));
            if (action == "start")
            {
                restartWhileStarted = _lab.Show("cmt-ok.service", "Restart");
            }
        }

        Assert.That(seen, Is.EqualTo(new[]
        {
            ("monitor", OcfExitCode.NotRunning), ("start", OcfExitCode.Success), ("monitor", OcfExitCode.Success),
            ("start", OcfExitCode.Success), ("stop", OcfExitCode.Success), ("monitor", OcfExitCode.NotRunning),
            ("stop", OcfExitCode.Success),
        }));
        Assert.That(restartWhileStarted, Is.EqualTo("no"));
        Assert.That(File.Exists(Path.Combine(_lab.DropInDirectory, "cmt-ok.service.d", "50-clustermanager.conf")), Is.False);
    }

    [Test]
    public async Task Probe_StagesDropIn_WhenUnitIsStopped()
    {
        var probe = await _agent.ExecuteAsync(Request("cmt-ok", "monitor"), CancellationToken.None);
        var restart = _lab.Show("cmt-ok.service", "Restart");
        var staged = File.Exists(Path.Combine(_lab.DropInDirectory, "cmt-ok.service.d", "50-clustermanager.conf"));
        await _agent.ExecuteAsync(Request("cmt-ok", "stop"), CancellationToken.None);

        Assert.That(probe.Rc, Is.EqualTo(OcfExitCode.NotRunning));
        Assert.That((staged, restart), Is.EqualTo((true, "no")), "a start after this probe needs no daemon-reload");
    }

    [Test]
    public async Task ExecuteAsync_ReportsError_WhenUnitFailsToStart()
    {
        var result = await _agent.ExecuteAsync(Request("cmt-fail", "start"), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((OcfExitCode.GenericError, ExecStatus.Done)));
        Assert.That(result.ExitReason, Is.EqualTo("systemd start job for cmt-fail.service failed with result 'failed'"));
    }

    [Test]
    public async Task RecurringMonitor_CatchesCrash_AndSystemdDoesNotRestart()
    {
        await using var executor = new ResourceExecutor(_agent, new ResourceExecutorOptions(), TimeProvider.System, NullLogger<ResourceExecutor>.Instance);
        var start = await executor.ExecuteAsync(Request("cmt-crash", "start"), CancellationToken.None);
        await executor.ExecuteAsync(Request("cmt-crash", "monitor") with { Interval = TimeSpan.FromMilliseconds(300) }, CancellationToken.None);

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        OperationResult? failure = null;
        await foreach (var op in executor.Results.ReadAllAsync(wait.Token))
        {
            if (op.Request.Interval > TimeSpan.Zero && op.Result.Rc != OcfExitCode.Success)
            {
                failure = op;
                break;
            }
        }

        await Task.Delay(500);
        var restarts = _lab.Show("cmt-crash.service", "NRestarts");
        var state = _lab.Show("cmt-crash.service", "ActiveState");
        await executor.ExecuteAsync(Request("cmt-crash", "stop"), CancellationToken.None);

        Assert.That(start.Result.Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That((failure?.Result.Rc, failure?.Result.Status), Is.EqualTo(((OcfExitCode?)OcfExitCode.NotRunning, (ExecStatus?)ExecStatus.Done)));
        Assert.That((state, restarts), Is.EqualTo(("failed", "0")));
    }

    [Test]
    public async Task ExecuteAsync_ReportsTimeoutThenPending_WhenStartIsSlowerThanTimeout()
    {
        var start = await _agent.ExecuteAsync(Request("cmt-slow", "start") with { Timeout = TimeSpan.FromSeconds(1) }, CancellationToken.None);
        var monitor = await _agent.ExecuteAsync(Request("cmt-slow", "monitor"), CancellationToken.None);
        var stop = await _agent.ExecuteAsync(Request("cmt-slow", "stop"), CancellationToken.None);

        Assert.That((start.Rc, start.Status), Is.EqualTo((OcfExitCode.GenericError, ExecStatus.Timeout)));
        Assert.That((monitor.Rc, monitor.Status), Is.EqualTo((OcfExitCode.Unknown, ExecStatus.Pending)));
        Assert.That(stop.Rc, Is.EqualTo(OcfExitCode.Success));
    }

    [TestCase("start", OcfExitCode.NotInstalled, ExecStatus.NotInstalled)]
    [TestCase("stop", OcfExitCode.Success, ExecStatus.Done)]
    [TestCase("monitor", OcfExitCode.NotRunning, ExecStatus.Done)]
    public async Task ExecuteAsync_HandlesUnknownUnit_AsPacemaker(string action, OcfExitCode rc, ExecStatus status)
    {
        var result = await _agent.ExecuteAsync(Request("cmt-no-such-unit", action), CancellationToken.None);

        Assert.That((result.Rc, result.Status), Is.EqualTo((rc, status)));
    }

    [TestCase("haproxy", "haproxy.service")]
    [TestCase("sshd.socket", "sshd.socket")]
    [TestCase("getty@", "getty@pacemaker.service")]
    public void UnitName_AppendsServiceSuffix_LikePacemaker(string type, string unit) =>
        Assert.That(SystemdAgent.UnitName(type), Is.EqualTo(unit));

    private static AgentRequest Request(string unit, string action) =>
        AgentRequest.Create("cmt-" + unit, "systemd:" + unit, action, Timeout);
}
