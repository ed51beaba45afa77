using System.Diagnostics;
using System.Runtime.Versioning;

namespace ClusterManager.Cli.Tests.Agents;

/// <summary>
/// hactl resource debug-*: real agents run on this node (Debian's ocf:heartbeat:Dummy and IPaddr2, the native
/// ocf:clustermanager:IPaddr2 in a network namespace of its own, a script agent in a private OCF root).
/// </summary>
public class DebugAgentCommandTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("cmt-cli-debug-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task DebugActions_StartMonitorStopMonitor_RoundTripDummyWithStateFile()
    {
        var state = Path.Combine(_dir, "dummy.state");
        var parameter = $"state={state}";

        var start = await LocalHactl.RunAsync("resource", "debug-start", "ocf:heartbeat:Dummy", parameter);
        var startedFile = File.Exists(state);
        var running = await LocalHactl.RunAsync("resource", "debug-monitor", "ocf:heartbeat:Dummy", parameter);
        var stop = await LocalHactl.RunAsync("resource", "debug-stop", "ocf:heartbeat:Dummy", parameter);
        var stopped = await LocalHactl.RunAsync("resource", "debug-monitor", "ocf:heartbeat:Dummy", parameter);

        Assert.That((start.ExitCode, start.Out, start.Error), Is.EqualTo((0, "Operation start (ocf:heartbeat:Dummy) returned 0 (ok)\n", "")));
        Assert.That(startedFile, Is.True);
        Assert.That((running.ExitCode, running.Out), Is.EqualTo((0, "Operation monitor (ocf:heartbeat:Dummy) returned 0 (ok)\n")));
        Assert.That((stop.ExitCode, stop.Out), Is.EqualTo((0, "Operation stop (ocf:heartbeat:Dummy) returned 0 (ok)\n")));
        Assert.That(File.Exists(state), Is.False);
        Assert.That((stopped.ExitCode, stopped.Out), Is.EqualTo((7, "Operation monitor (ocf:heartbeat:Dummy) returned 7 (not running)\n")));
    }

    [Test]
    public async Task DebugStart_ShowsTheEnvironment_WithFull()
    {
        var state = Path.Combine(_dir, "dummy.state");

        var run = await LocalHactl.RunAsync("resource", "debug-start", "ocf:heartbeat:Dummy", $"state={state}", "--full");

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.OutLines, Does.Contain("environment (added to hactl's own; /usr/lib/ocf/resource.d/heartbeat/Dummy start):")
            .And.Contain("  OCF_ROOT=/usr/lib/ocf")
            .And.Contain($"  OCF_RESKEY_state={state}")
            .And.Contain("  OCF_RESOURCE_INSTANCE=test")
            .And.Contain("  OCF_RESKEY_CRM_meta_timeout=20000"));
        Assert.That(run.OutLines, Has.Some.Match("^duration: [0-9]+ ms$"));
    }

    [Test]
    public async Task DebugStart_RunsResourceFromCibFile_WithItsParametersMetaAndTimeout()
    {
        var state = Path.Combine(_dir, "d1.state");
        var cib = WriteCib(state);

        var start = await LocalHactl.RunAsync("resource", "debug-start", "d1", "-f", cib, "--full");
        var startedFile = File.Exists(state);
        var stop = await LocalHactl.RunAsync("resource", "debug-stop", "d1", "-f", cib);

        Assert.That((start.ExitCode, start.OutLines[0]), Is.EqualTo((0, "Operation start for d1 (ocf:heartbeat:Dummy) returned 0 (ok)")));
        Assert.That(start.OutLines, Does.Contain($"  OCF_RESKEY_state={state}")
            .And.Contain("  OCF_RESOURCE_INSTANCE=d1")
            .And.Contain("  OCF_RESKEY_CRM_meta_timeout=30000")
            .And.Contain("  OCF_RESKEY_CRM_meta_target_role=Stopped"));
        Assert.That(startedFile, Is.True);
        Assert.That((stop.ExitCode, stop.Out), Is.EqualTo((0, "Operation stop for d1 (ocf:heartbeat:Dummy) returned 0 (ok)\n")));
        Assert.That(File.Exists(state), Is.False);
    }

    [Test]
    public async Task DebugStart_InlineParameterOverridesTheCib()
    {
        var other = Path.Combine(_dir, "other.state");
        var cib = WriteCib(Path.Combine(_dir, "d1.state"));

        var run = await LocalHactl.RunAsync("resource", "debug-start", "d1", "-f", cib, $"state={other}");
        var created = File.Exists(other);
        await LocalHactl.RunAsync("resource", "debug-stop", "d1", "-f", cib, $"state={other}");

        Assert.That((run.ExitCode, created), Is.EqualTo((0, true)));
    }

    [TestCase("g1", "error: unable to debug-start a group, try one of the group's resource(s) (d2)\n")]
    [TestCase("c1", "error: unable to debug-start a clone, try the clone's resource: d3\n")]
    [TestCase("f1", "error: 'f1' is a stonith resource (stonith:fence_dummy); debug-start runs resource agents only\n")]
    [TestCase("l1", "error: resource 'l1' uses agent 'lsb:foo', which hactl cannot run: agent class 'lsb' in 'lsb:foo' is not supported (ocf, systemd, stonith)\n")]
    public async Task DebugStart_RefusesWhatIsNotARunnablePrimitive_NamingWhatToDoInstead(string id, string error)
    {
        var cib = WriteCib(Path.Combine(_dir, "d1.state"));

        var run = await LocalHactl.RunAsync("resource", "debug-start", id, "-f", cib);

        Assert.That((run.ExitCode, run.Out, run.Error), Is.EqualTo((2, "", error)));
    }

    [Test]
    public async Task DebugStart_FailsNamingTheFile_WhenTheResourceIsNotInIt()
    {
        var cib = WriteCib(Path.Combine(_dir, "d1.state"));

        var run = await LocalHactl.RunAsync("resource", "debug-start", "nope", "-f", cib);

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((2, $"error: unable to find a resource/clone/group/bundle: nope in {cib}\n")));
    }

    [Test]
    public async Task DebugStart_RefusesMissingRequiredParameter_UnlessForced()
    {
        var refused = await LocalHactl.RunAsync("resource", "debug-start", "ocf:heartbeat:IPaddr2");
        var forced = await LocalHactl.RunAsync("resource", "debug-start", "ocf:heartbeat:IPaddr2", "--force");

        Assert.That((refused.ExitCode, refused.Out, refused.Error),
            Is.EqualTo((2, "", "error: required resource option 'ip' is missing, use --force to override\n")));
        Assert.That((forced.ExitCode, forced.Out), Is.EqualTo((6,
            "Operation start (ocf:heartbeat:IPaddr2) returned 6 (not configured: IP address (the ip parameter) is mandatory)\n"
            + "stderr:\n"
            + "ocf-exit-reason:IP address (the ip parameter) is mandatory\n")));
    }

    [Test]
    public async Task DebugPromote_ReturnsUnimplemented_WithTheAgentsUsageOnStdout()
    {
        var run = await LocalHactl.RunAsync("resource", "debug-promote", "ocf:heartbeat:Dummy", $"state={Path.Combine(_dir, "s")}");

        Assert.That((run.ExitCode, run.OutLines[0], run.OutLines[1]), Is.EqualTo((3,
            "Operation promote (ocf:heartbeat:Dummy) returned 3 (unimplemented feature)", "stdout:")));
        Assert.That(run.OutLines[2], Does.StartWith("usage: /usr/lib/ocf/resource.d/heartbeat/Dummy {start|stop|monitor|"));
    }

    [Test]
    public async Task DebugMonitor_WarnsAboutParametersTheAgentDoesNotHave()
    {
        var run = await LocalHactl.RunAsync("resource", "debug-monitor", "ocf:heartbeat:Dummy", $"state={Path.Combine(_dir, "s")}", "colour=blue");

        Assert.That((run.ExitCode, run.Error), Is.EqualTo((7, "warning: ocf:heartbeat:Dummy has no parameter 'colour'; passed anyway\n")));
    }

    [Test]
    public async Task DebugStart_ReportsNotInstalled_WithRc5ForAnUnknownAgent()
    {
        var run = await LocalHactl.RunAsync("resource", "debug-start", "ocf:heartbeat:NoSuchAgent");

        Assert.That((run.ExitCode, run.Out), Is.EqualTo((5,
            "Operation start (ocf:heartbeat:NoSuchAgent) could not be executed (Not installed: OCF agent ocf:heartbeat:NoSuchAgent "
            + "is not installed (/usr/lib/ocf/resource.d/heartbeat/NoSuchAgent is missing or not executable))\n")));
    }

    [Test]
    [SupportedOSPlatform("linux")]
    public async Task DebugStart_KillsTheAgent_WhenItOutlivesTheTimeout()
    {
        var agent = Path.Combine(_dir, "resource.d", "cmtest", "Sleeper");
        Directory.CreateDirectory(Path.GetDirectoryName(agent)!);
        await File.WriteAllTextAsync(agent, "#!/bin/sh\ncase \"$1\" in meta-data) exit 3 ;; esac\necho going to sleep\nexec sleep 30\n");
        File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var run = await LocalHactl.RunAsync(LocalHactl.Settings(ocfRoot: _dir), "resource", "debug-start", "ocf:cmtest:Sleeper", "--timeout", "3s");

        Assert.That((run.ExitCode, run.Out), Is.EqualTo((1,
            "Operation start (ocf:cmtest:Sleeper) could not be executed (Timed out: start did not complete within 3000 ms; killed)\n"
            + "stdout:\ngoing to sleep\n")));
    }

    [Test]
    public async Task DebugActions_RunTheNativeIpaddr2_InANamespaceOfTheirOwn()
    {
        var ns = $"cmt-cli-{Guid.NewGuid().ToString("N")[..8]}";
        Ip("netns", "add", ns);
        try
        {
            Ip("-n", ns, "link", "add", "cm0", "type", "veth", "peer", "name", "cm1");
            Ip("-n", ns, "link", "set", "cm0", "up");
            Ip("-n", ns, "link", "set", "cm1", "up");
            Ip("-n", ns, "addr", "add", "198.18.7.1/24", "dev", "cm0");
            string[] parameters = ["ip=198.18.7.50", "cidr_netmask=24", "nic=cm0", $"network_namespace={ns}", "arp_count=1"];

            var start = await LocalHactl.RunAsync(["resource", "debug-start", "ocf:clustermanager:IPaddr2", .. parameters]);
            var added = Ip("-n", ns, "-o", "addr", "show", "dev", "cm0").Contains("198.18.7.50/24", StringComparison.Ordinal);
            var monitor = await LocalHactl.RunAsync(["resource", "debug-monitor", "ocf:clustermanager:IPaddr2", .. parameters, "--full"]);
            var stop = await LocalHactl.RunAsync(["resource", "debug-stop", "ocf:clustermanager:IPaddr2", .. parameters]);
            var removed = !Ip("-n", ns, "-o", "addr", "show", "dev", "cm0").Contains("198.18.7.50", StringComparison.Ordinal);

            Assert.That((start.ExitCode, start.Out, added), Is.EqualTo((0, "Operation start (ocf:clustermanager:IPaddr2) returned 0 (ok)\n", true)));
            Assert.That(start.Error, Is.EqualTo(
                "note: arp_bg=false added: the announcements are made before returning, as hactl exits after the action\n"));
            Assert.That((monitor.ExitCode, monitor.OutLines[1]), Is.EqualTo((0, "native agent (runs inside hactl), timeout 20s; parameters:")));
            Assert.That(monitor.OutLines, Does.Contain($"  network_namespace={ns}"));
            Assert.That((stop.ExitCode, removed), Is.EqualTo((0, true)));
        }
        finally
        {
            Ip("netns", "delete", ns);
        }
    }

    [TestCase(new[] { "d1" }, "error: 'd1' is not an agent name (ocf:PROVIDER:TYPE or systemd:UNIT); to run a resource give its CIB with -f FILE\n")]
    [TestCase(new[] { "ocf:heartbeat:Dummy", "state" }, "error: 'state' is not a parameter (expected NAME=VALUE)\n")]
    [TestCase(new[] { "ocf:heartbeat:Dummy", "=x" }, "error: '=x': a name is missing before '='\n")]
    [TestCase(new[] { "ocf:heartbeat:Dummy", "--timeout", "soon" }, "error: --timeout 'soon' is not a duration above zero (e.g. 30s)\n")]
    [TestCase(new[] { "ocf:heartbeat:Dummy", "-f", "cib.xml" }, "error: 'ocf:heartbeat:Dummy' is an agent name; -f FILE goes with a resource id\n")]
    [TestCase(new[] { "ocf:heartbeat:Dummy", "--bogus" }, "error: unknown option '--bogus'\n")]
    [TestCase(new[] { "heartbeat:Dummy" }, "error: invalid resource agent name: agent class 'heartbeat' in 'heartbeat:Dummy' is not supported (ocf, systemd, stonith)\n")]
    [TestCase(new string[0], "error: missing resource id or agent name\n")]
    public async Task DebugStart_FailsAsUsageError_ForBadArguments(string[] arguments, string error)
    {
        var run = await LocalHactl.RunAsync(["resource", "debug-start", .. arguments]);

        Assert.That((run.ExitCode, run.Out, run.Error), Is.EqualTo((2, "", error)));
    }

    [Test]
    public async Task DebugStart_FailsNamingTheFile_WhenTheCibCannotBeRead()
    {
        var missing = Path.Combine(_dir, "missing.xml");

        var run = await LocalHactl.RunAsync("resource", "debug-start", "d1", "-f", missing);

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.StartWith($"error: cannot read {missing}: "));
    }

    private string WriteCib(string state)
    {
        var path = Path.Combine(_dir, "cib.xml");
        File.WriteAllText(path, $"""
            <cib crm_feature_set="3.16.2" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config/>
                <nodes/>
                <resources>
                  <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
                    <instance_attributes id="d1-ia"><nvpair id="d1-s" name="state" value="{state}"/></instance_attributes>
                    <meta_attributes id="d1-m"><nvpair id="d1-t" name="target-role" value="Stopped"/></meta_attributes>
                    <operations><op id="d1-start" name="start" interval="0s" timeout="30s"/></operations>
                  </primitive>
                  <group id="g1"><primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/></group>
                  <clone id="c1"><primitive id="d3" class="ocf" provider="heartbeat" type="Dummy"/></clone>
                  <primitive id="f1" class="stonith" type="fence_dummy"/>
                  <primitive id="l1" class="lsb" type="foo"/>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """);
        return path;
    }

    private static string Ip(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("ip did not start");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
    }
}
