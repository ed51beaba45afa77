using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using ClusterManager.Agents;
using ClusterManager.Agents.IpAddr;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

[assembly: SupportedOSPlatform("linux")]

// Latency of agent actions, run for real: the native IPaddr2 against Debian's heartbeat script in a network
// namespace (198.18.0.0/15 only), and a systemd unit through D-Bus against `systemctl` in a systemd-nspawn lab.
// Usage: dotnet run -c Release --project tests/ClusterManager.Agents.Benchmarks [-- ROUNDS]
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
Console.WriteLine($"rounds per figure: {rounds}; figures are median / p90 / max in ms");

var suffix = $"{Random.Shared.Next(0x10000):x4}";
var nsA = $"cmt-agb-{suffix}-a";
var nsB = $"cmt-agb-{suffix}-b";
try
{
    Run("ip", "netns", "add", nsA);
    Run("ip", "netns", "add", nsB);
    Run("ip", "-n", nsA, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", nsB);
    foreach (var (ns, host) in new[] { (nsA, 1), (nsB, 2) })
    {
        Run("ip", "-n", ns, "link", "set", "lo", "up");
        Run("ip", "-n", ns, "link", "set", "eth0", "up");
        Run("ip", "-n", ns, "addr", "add", $"198.18.250.{host}/24", "dev", "eth0");
    }

    var native = new NativeIpAddr2Agent(TimeProvider.System, NullLogger<NativeIpAddr2Agent>.Instance);
    var script = new OcfScriptAgent(new OcfOptions(), TimeProvider.System);
    var parameters = new Dictionary<string, string>
    {
        ["ip"] = "198.18.250.100", ["cidr_netmask"] = "24", ["nic"] = "eth0", ["network_namespace"] = nsA,
    };
    await Measure("native IPaddr2 (run_arping=true, default)", native, "ocf:clustermanager:IPaddr2", parameters);
    await Measure("native IPaddr2 (run_arping=false)", native, "ocf:clustermanager:IPaddr2", new(parameters) { ["run_arping"] = "false" });
    await Measure("heartbeat IPaddr2 script (defaults)", script, "ocf:heartbeat:IPaddr2", parameters);
    await Measure("heartbeat IPaddr2 script (run_arping=true)", script, "ocf:heartbeat:IPaddr2", new(parameters) { ["run_arping"] = "true" });
    await Measure("heartbeat Dummy script", script, "ocf:heartbeat:Dummy", new() { ["state"] = $"/tmp/cmt-agb-{suffix}.state" });
}
finally
{
    foreach (var ns in new[] { nsA, nsB })
    {
        TryRun("ip", "netns", "del", ns);
    }
}

var lab = Path.Combine(Path.GetTempPath(), $"cmt-sdb-{suffix}");
var labScript = Path.Combine(AppContext.BaseDirectory, "sd-lab.sh");
Directory.CreateDirectory(Path.Combine(lab, "units"));
File.WriteAllText(Path.Combine(lab, "units", "cmt-bench.service"), "[Service]\nExecStart=/bin/sleep infinity\n");
try
{
    var up = Stopwatch.StartNew();
    Run(labScript, "up", $"cmt-sdb-{suffix}", lab);
    Console.WriteLine($"systemd-nspawn lab up in {up.ElapsedMilliseconds} ms");
    var pid = File.ReadAllText(Path.Combine(lab, "pid")).Trim();
    await using var systemd = new SystemdAgent(new SystemdOptions
    {
        BusAddress = $"unix:path={Path.Combine(lab, "system_bus_socket")}",
        DropInDirectory = $"/proc/{pid}/root/run/systemd/system",
    }, TimeProvider.System);
    await Measure("systemd unit via D-Bus (SystemdAgent)", systemd, "systemd:cmt-bench", []);

    await MeasureRawDBus($"unix:path={Path.Combine(lab, "system_bus_socket")}");

    var start = new List<double>();
    var monitor = new List<double>();
    var stop = new List<double>();
    for (var i = 0; i < rounds; i++)
    {
        start.Add(Time(() => Run("nsenter", "-t", pid, "-a", "systemctl", "start", "cmt-bench.service")));
        monitor.Add(Time(() => TryRun("nsenter", "-t", pid, "-a", "systemctl", "is-active", "cmt-bench.service")));
        stop.Add(Time(() => Run("nsenter", "-t", pid, "-a", "systemctl", "stop", "cmt-bench.service")));
    }

    Print("systemctl via nsenter (process per call)", start, monitor, stop);
}
finally
{
    TryRun(labScript, "down", $"cmt-sdb-{suffix}", lab);
}

async Task Measure(string name, IResourceAgent agent, string agentName, Dictionary<string, string> parameters)
{
    var request = AgentRequest.Create("cmt-bench", agentName, "monitor", TimeSpan.FromSeconds(30), parameters);
    var start = new List<double>();
    var monitor = new List<double>();
    var stop = new List<double>();
    for (var i = 0; i < rounds; i++)
    {
        start.Add(await Timed(request.WithAction("start"), OcfExitCode.Success));
        monitor.Add(await Timed(request.WithAction("monitor"), OcfExitCode.Success));
        stop.Add(await Timed(request.WithAction("stop"), OcfExitCode.Success));
    }

    Print(name, start, monitor, stop);

    async Task<double> Timed(AgentRequest r, OcfExitCode expected)
    {
        var watch = Stopwatch.StartNew();
        var result = await agent.ExecuteAsync(r, CancellationToken.None);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (result.Rc != expected)
        {
            throw new InvalidOperationException($"{name} {r.Action}: rc {result.Rc} ({result.ExitReason})");
        }

        return elapsed;
    }
}

// Where the agent's start/stop time goes: the bare StartUnit/StopUnit job round trip versus the daemon-reload
// that writing or removing the cluster drop-in requires.
async Task MeasureRawDBus(string address)
{
    var jobs = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<string>>();
    TaskCompletionSource<string> Job(string path) => jobs.GetOrAdd(path, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
    await using var bus = await DBusConnection.ConnectAsync(address, m =>
    {
        if (m.Member == "JobRemoved")
        {
            var r = m.Reader();
            r.ReadUInt32();
            var job = r.ReadString();
            r.ReadString();
            Job(job).TrySetResult(r.ReadString());
        }
    }, CancellationToken.None);
    const string Manager = "org.freedesktop.systemd1.Manager";
    await bus.CallAsync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s",
        ["type='signal',interface='org.freedesktop.systemd1.Manager',member='JobRemoved'"], CancellationToken.None);
    await bus.CallAsync("org.freedesktop.systemd1", "/org/freedesktop/systemd1", Manager, "Subscribe", "", [], CancellationToken.None);
    var start = new List<double>();
    var stop = new List<double>();
    var reload = new List<double>();
    for (var i = 0; i < rounds; i++)
    {
        foreach (var (method, list) in new[] { ("StartUnit", start), ("StopUnit", stop) })
        {
            var watch = Stopwatch.StartNew();
            var reply = await bus.CallAsync("org.freedesktop.systemd1", "/org/freedesktop/systemd1", Manager, method, "ss",
                ["cmt-bench.service", "replace"], CancellationToken.None);
            await Job(reply.Reader().ReadString()).Task;
            list.Add(watch.Elapsed.TotalMilliseconds);
        }

        var w = Stopwatch.StartNew();
        await bus.CallAsync("org.freedesktop.systemd1", "/org/freedesktop/systemd1", Manager, "Reload", "", [], CancellationToken.None);
        reload.Add(w.Elapsed.TotalMilliseconds);
    }

    Console.WriteLine($"{"raw D-Bus StartUnit/StopUnit -> JobRemoved",-45} start {Stats(start)}  stop {Stats(stop)}  daemon-reload {Stats(reload)}");
}

static void Print(string name, List<double> start, List<double> monitor, List<double> stop) =>
    Console.WriteLine($"{name,-45} start {Stats(start)}  monitor {Stats(monitor)}  stop {Stats(stop)}");

static string Stats(List<double> values)
{
    var sorted = values.Order().ToArray();
    double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"{At(0.5),6:0.0} /{At(0.9),6:0.0} /{sorted[^1],6:0.0}");
}

static double Time(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalMilliseconds;
}

static void Run(params string[] args)
{
    if (!TryRun(args))
    {
        throw new InvalidOperationException($"{string.Join(' ', args)} failed");
    }
}

static bool TryRun(params string[] args)
{
    var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in args.Skip(1))
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    p.StandardOutput.ReadToEnd();
    p.StandardError.ReadToEnd();
    p.WaitForExit();
    return p.ExitCode == 0;
}
