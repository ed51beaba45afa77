using System.Collections.Immutable;
using ClusterManager.Fencing.Agents;
using ClusterManager.Fencing.Lab;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterManager.Fencing.Tests;

public class ProcessFenceAgentRunnerTests
{
    private string _dir = "";
    private ProcessFenceAgentRunner _runner = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("cmt-fence-runner-").FullName;
        _runner = new ProcessFenceAgentRunner(new FenceAgentRunnerOptions { AgentDirectories = [_dir] }, TimeProvider.System,
            NullLogger<ProcessFenceAgentRunner>.Instance);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private void Agent(string name, string body)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        Shell.Run("chmod", "755", path);
    }

    private Task<AgentRunResult> Run(string agent, TimeSpan timeout, params (string, string)[] arguments) =>
        _runner.RunAsync(new FenceAgentInvocation(agent, "off", [.. arguments.Select(a => new KeyValuePair<string, string>(a.Item1, a.Item2))], timeout),
            CancellationToken.None);

    [Test]
    public async Task RunAsync_WritesArgumentsOnStdin_WithNoArgvAndPacemakerEnvironment()
    {
        Agent("fence_echo", $"echo \"argc=$#\"; cat; echo \"env=$PCMK_service/$LANG\"");

        var result = await Run("fence_echo", TimeSpan.FromSeconds(30), ("action", "off"), ("nodename", "node1"), ("port", "node1"));

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Stdout, Is.EqualTo("argc=0\naction=off\nnodename=node1\nport=node1\nenv=pacemaker-fenced/C\n"));
    }

    [TestCase(0, true)]
    [TestCase(1, false)]
    [TestCase(2, false)]
    public async Task RunAsync_ReportsExitCode_AndStderrAsReason(int exit, bool succeeded)
    {
        Agent("fence_exit", $"echo 'ERROR: Failed: Timed out waiting to power OFF' >&2; exit {exit}");

        var result = await Run("fence_exit", TimeSpan.FromSeconds(30));

        Assert.That(result.Outcome, Is.EqualTo(AgentRunOutcome.Exited));
        Assert.That(result.ExitCode, Is.EqualTo(exit));
        Assert.That(result.Succeeded, Is.EqualTo(succeeded));
        Assert.That(result.Describe(), Does.Contain($"exit {exit}").And.Contain("Timed out waiting to power OFF"));
    }

    [Test]
    public async Task RunAsync_KillsWholeProcessTree_WhenTimeoutExpires()
    {
        var pids = Path.Combine(_dir, "pids");
        // The agent starts a child and a grandchild whose parent exits at once (orphaned, still in the group).
        Agent("fence_hang", $"sleep 300 & echo $! >> {pids}; (sleep 301 & echo $! >> {pids}) ; echo $$ >> {pids}; sleep 302");

        var result = await Run("fence_hang", TimeSpan.FromSeconds(3));

        Assert.That(result.Outcome, Is.EqualTo(AgentRunOutcome.TimedOut));
        Assert.That(result.ExitCode, Is.Null);
        var started = File.ReadAllLines(pids).Select(int.Parse).ToList();
        Assert.That(started, Has.Count.EqualTo(3));
        Assert.That(Shell.WaitFor(() => started.All(p => !Shell.IsAlive(p)), TimeSpan.FromSeconds(10)), Is.True,
            "every process of the agent's tree is gone");
    }

    [Test]
    public async Task RunAsync_KillsAgentAndThrows_WhenCancelled()
    {
        var pidFile = Path.Combine(_dir, "pid");
        Agent("fence_slow", $"echo $$ > {pidFile}; sleep 300");
        using var cancel = new CancellationTokenSource();

        var run = _runner.RunAsync(new FenceAgentInvocation("fence_slow", "off", [], TimeSpan.FromMinutes(5)), cancel.Token);
        Assert.That(Shell.WaitFor(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Length > 0, TimeSpan.FromSeconds(20)), Is.True);
        await cancel.CancelAsync();

        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Shell.WaitFor(() => !Shell.IsAlive(pid), TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test]
    public async Task RunAsync_Returns_WhenOrphanKeepsStdoutOpen()
    {
        var pidFile = Path.Combine(_dir, "pid");
        Agent("fence_leaky", $"(sleep 300; echo late) & echo $! > {pidFile}; echo done");

        var result = await Run("fence_leaky", TimeSpan.FromSeconds(60));

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Stdout, Does.StartWith("done"));
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Shell.WaitFor(() => !Shell.IsAlive(pid), TimeSpan.FromSeconds(10)), Is.True);
    }

    [TestCase("fence_missing")]
    [TestCase("fence_../../bin/sh")]
    [TestCase("sh")]
    public async Task RunAsync_ReportsNotFound_WhenNoSuchAgent(string agent)
    {
        var result = await Run(agent, TimeSpan.FromSeconds(5));

        Assert.That(result.Outcome, Is.EqualTo(AgentRunOutcome.NotFound));
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Stderr, Does.Contain(agent));
    }

    [Test]
    public async Task RunAsync_RunsDebianFenceDummy_WithStatusFile()
    {
        var statusFile = Path.Combine(_dir, "status");
        File.WriteAllText(statusFile, "on");
        var runner = new ProcessFenceAgentRunner(new FenceAgentRunnerOptions(), TimeProvider.System, NullLogger<ProcessFenceAgentRunner>.Instance);
        ImmutableArray<KeyValuePair<string, string>> Args(string action) =>
            [new("action", action), new("type", "file"), new("status_file", statusFile), new("port", "node1")];

        var off = await runner.RunAsync(new FenceAgentInvocation("fence_dummy", "off", Args("off"), TimeSpan.FromSeconds(30)), CancellationToken.None);
        var status = await runner.RunAsync(new FenceAgentInvocation("fence_dummy", "status", Args("status"), TimeSpan.FromSeconds(30)), CancellationToken.None);

        Assert.That(off.Succeeded, Is.True, off.Describe());
        Assert.That(status.ExitCode, Is.EqualTo(2), status.Describe());
        Assert.That(File.ReadAllText(statusFile), Is.EqualTo("off"));
    }
}
