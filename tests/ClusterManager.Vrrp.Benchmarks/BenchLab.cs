using System.Diagnostics;
using System.Globalization;

namespace ClusterManager.Vrrp.Benchmarks;

internal enum Daemon
{
    Ours,
    Keepalived,
}

/// <summary>Two namespaces on a bridge namespace; starts and crashes VRRP daemons and measures failover.</summary>
internal sealed class BenchLab : IDisposable
{
    private const string Vip = "198.18.0.100";

    private const string Poller = """
        import socket, sys, time
        deadline = time.time() + 30
        while time.time() < deadline:
            s = socket.socket()
            try:
                s.bind(("198.18.0.100", 0)); print(repr(time.time()), flush=True); sys.exit(0)
            except OSError:
                pass
            finally:
                s.close()
            time.sleep(0.001)
        sys.exit(1)
        """;

    private readonly string _directory;
    private readonly Random _random = new(1);
    private int _run;

    private BenchLab(string prefix, string directory)
    {
        Prefix = prefix;
        _directory = directory;
    }

    public string Prefix { get; }

    public static BenchLab Create()
    {
        var prefix = "cmt-vrrpb-" + Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 3)).ToLowerInvariant();
        var lab = new BenchLab(prefix, Directory.CreateTempSubdirectory(prefix + "-").FullName);
        var sw = prefix + "-sw";
        Ip($"netns add {sw}");
        Ip($"-n {sw} link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0");
        Ip($"-n {sw} link set br0 up");
        for (var i = 1; i <= 2; i++)
        {
            var ns = $"{prefix}-n{i}";
            Ip($"netns add {ns}");
            Ip($"-n {ns} link add eth0 type veth peer name h{i} netns {sw}");
            Ip($"-n {ns} addr add 198.18.0.1{i}/24 dev eth0");
            Ip($"-n {ns} link set lo up");
            Ip($"-n {ns} link set eth0 up");
            Ip($"-n {sw} link set h{i} master br0");
            Ip($"-n {sw} link set h{i} up");
        }

        File.WriteAllText(Path.Combine(lab._directory, "poll.py"), Poller);
        return lab;
    }

    /// <summary>One run: fresh master (n1, 100) and backup (n2, 90), kill -9 the master, seconds until the VIP is bindable on n2.</summary>
    public (double? Seconds, string Note) MeasureCrashFailover(Daemon daemon, double interval)
    {
        var processes = new List<Process>();
        _run++;
        try
        {
            var master = Start(daemon, 1, 100, interval, processes, out var masterVrrpPid);
            if (!WaitUntil(() => HasVip(1), TimeSpan.FromSeconds(20)))
            {
                return (null, "master never took the VIP");
            }

            Start(daemon, 2, 90, interval, processes, out _);
            var backupLog = Path.Combine(_directory, $"{daemon}-n2-r{_run}.log");
            var marker = daemon == Daemon.Ours ? "Initialize -> Backup" : "Entering BACKUP STATE";
            if (!WaitUntil(() => File.Exists(backupLog) && File.ReadAllText(backupLog).Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(20)))
            {
                return (null, "backup never started");
            }

            Thread.Sleep(TimeSpan.FromSeconds(0.5 + (_random.NextDouble() * interval)));
            using var poller = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", $"{Prefix}-n2", "python3", Path.Combine(_directory, "poll.py")]) { RedirectStandardOutput = true })!;
            Thread.Sleep(200);
            if (HasVip(2) || !HasVip(1))
            {
                return (null, "spurious transition before the crash (VIP on the backup or not on the master)");
            }

            var t0 = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
            if (masterVrrpPid is not null && File.Exists(masterVrrpPid))
            {
                Kill(int.Parse(File.ReadAllText(masterVrrpPid).Trim(), CultureInfo.InvariantCulture));
            }

            Kill(master.Id);
            var line = poller.StandardOutput.ReadLine();
            poller.WaitForExit();
            return line is null ? (null, "VIP never bindable on the backup") : (double.Parse(line, CultureInfo.InvariantCulture) - t0, string.Empty);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit();
                }

                process.Dispose();
            }

            for (var i = 1; i <= 2; i++)
            {
                // Everything in the node namespaces was started by this run (keepalived's VRRP child included).
                KillAll($"{Prefix}-n{i}");
                Run("ip", $"-n {Prefix}-n{i} addr del {Vip}/24 dev eth0");
            }
        }
    }

    public void Dispose()
    {
        foreach (var suffix in new[] { "n1", "n2", "sw" })
        {
            var ns = $"{Prefix}-{suffix}";
            KillAll(ns);
            Run("ip", $"netns del {ns}");
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Process Start(Daemon daemon, int node, int priority, double interval, List<Process> processes, out string? vrrpPid)
    {
        var name = $"{daemon}-n{node}-r{_run}";
        var log = Path.Combine(_directory, name + ".log");
        File.Delete(log);
        var adv = interval.ToString(CultureInfo.InvariantCulture);
        string[] command;
        vrrpPid = null;
        if (daemon == Daemon.Ours)
        {
            var config = Path.Combine(_directory, name + ".json");
            File.WriteAllText(config, $$"""
                { "instances": [{ "name": "VI_1", "interface": "eth0", "vrid": 51, "priority": {{priority}}, "advertInt": {{adv}},
                  "version": 3, "virtualAddresses": ["{{Vip}}/24"] }] }
                """);
            command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "cm-vrrpd.dll"), "--config", config];
        }
        else
        {
            var config = Path.Combine(_directory, name + ".conf");
            File.WriteAllText(config, $"global_defs {{\n vrrp_version 3\n}}\nvrrp_instance VI_1 {{\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority {priority}\n advert_int {adv}\n virtual_ipaddress {{\n  {Vip}/24\n }}\n}}\n");
            vrrpPid = Path.Combine(_directory, name + ".vrrp.pid");
            command = ["/usr/sbin/keepalived", "-P", "-n", "-l", "-D", "-G", "-R", "-f", config, "-p", Path.Combine(_directory, name + ".pid"), "-r", vrrpPid, "-c", Path.Combine(_directory, name + ".chk.pid")];
        }

        var shell = $"exec ip netns exec {Prefix}-n{node} {string.Join(' ', command)} >> {log} 2>&1";
        var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", shell]))!;
        processes.Add(process);
        return process;
    }

    private bool HasVip(int node) => Run("ip", $"-n {Prefix}-n{node} -4 -o addr show dev eth0").Contains($" {Vip}/", StringComparison.Ordinal);

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    private static void Kill(int pid) => Run("kill", $"-9 {pid}");

    private static void KillAll(string ns)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var pids = Run("ip", $"netns pids {ns}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                Kill(int.Parse(pid, CultureInfo.InvariantCulture));
            }

            Thread.Sleep(20);
        }
    }

    private static void Ip(string arguments) => Run("ip", arguments);

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments.Split(' ')) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
