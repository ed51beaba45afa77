using System.Globalization;
using ClusterManager.Vrrp.Benchmarks;

// Failover time after kill -9 of the master: cm-vrrpd pair vs keepalived pair, same VRRPv3 interval, in a namespace
// lab (198.18.0.0/24 only). Time = kill() call -> VIP bindable on the backup (1 ms bind() poller inside its namespace).
// Usage: dotnet cm-vrrp-bench.dll [--runs 20] [--interval 0.1] [--only ours|keepalived]
var runs = 20;
var interval = 0.1;
string? only = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--runs":
            runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--interval":
            interval = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--only":
            only = args[i + 1];
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}

using var lab = BenchLab.Create();
Console.WriteLine($"lab {lab.Prefix}; VRRPv3 advert_int {interval.ToString(CultureInfo.InvariantCulture)} s; master prio 100, backup prio 90; {runs} runs each");
Console.WriteLine($"expected (RFC): failover in [MDI - adv, MDI], MDI = 3*adv + (256-90)/256*adv = {(3 * interval) + (166.0 / 256 * interval):0.0000} s");
foreach (var daemon in new[] { Daemon.Ours, Daemon.Keepalived }.Where(d => only is null || d.ToString().Equals(only, StringComparison.OrdinalIgnoreCase)))
{
    var samples = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var (seconds, note) = lab.MeasureCrashFailover(daemon, interval);
        if (seconds is { } s)
        {
            samples.Add(s);
        }

        Console.Error.WriteLine($"{daemon} run {run + 1}: {(seconds is null ? "discarded: " + note : seconds.Value.ToString("0.0000", CultureInfo.InvariantCulture))}  load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }

    samples.Sort();
    if (samples.Count == 0)
    {
        Console.WriteLine($"{daemon,-10} no successful run of {runs}");
        continue;
    }

    double Percentile(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p * samples.Count) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{daemon,-10} n={samples.Count}/{runs} min={samples[0]:0.0000} median={Percentile(0.5):0.0000} mean={samples.Average():0.0000} p99={Percentile(0.99):0.0000} max={samples[^1]:0.0000} s"));
}

return 0;
