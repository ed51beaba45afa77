using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using System.Text.RegularExpressions;
using ClusterManager.Lab.Tests;

namespace ClusterManager.Lab.Benchmarks;

/// <summary>What ran the virtual IP in the lab: clusterd (the cluster manages it) or keepalived (VRRP at its defaults).</summary>
internal enum Stack
{
    Clusterd,
    Keepalived,
}

/// <summary>Drives <c>deploy/lab/lab</c> and reads what the lab records (events, BMC power changes, node journals).</summary>
internal sealed partial class LabDriver(string script)
{
    public const string StateDirectory = "/var/lib/cmlab";
    public const string Bridge = "cmlab-br0";
    public static readonly string[] Nodes = ["n1", "n2", "n3"];
    public static readonly IPAddress VirtualIp = IPAddress.Parse("198.18.0.100");
    public static readonly IPAddress HostAddress = IPAddress.Parse("198.18.0.1");

    public string Script => script;

    /// <summary>The lab script of the repository this benchmark was built in.</summary>
    public static LabDriver FromRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterManager.sln")))
            {
                return new LabDriver(Path.Combine(dir.FullName, "deploy", "lab", "lab"));
            }
        }

        throw new InvalidOperationException($"no ClusterManager.sln above {AppContext.BaseDirectory}");
    }

    public (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] arguments)
    {
        var psi = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("the lab script did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lab {string.Join(' ', arguments)} did not end within {timeout}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    public string Checked(params string[] arguments)
    {
        var (code, output, error) = Run(TimeSpan.FromMinutes(10), arguments);
        return code == 0 ? output : throw new InvalidOperationException($"lab {string.Join(' ', arguments)}: exit {code}\n{output}\n{error}");
    }

    /// <summary>The MAC of a node's eth0 (the veth keeps it across the node's reboots).</summary>
    public static PhysicalAddress Mac(string node)
    {
        var psi = new ProcessStartInfo("ip", ["-n", "cmlab-" + node, "-o", "link", "show", "dev", "eth0"]) { RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = EtherPattern().Match(text);
        return match.Success ? PhysicalAddress.Parse(match.Groups[1].Value) : throw new InvalidOperationException($"no MAC of {node}'s eth0: {text}");
    }

    /// <summary>The time of the last lab event <paramref name="what"/> (<c>kill n1</c>, <c>partition n2</c>...).</summary>
    public static DateTimeOffset LastEvent(string what)
    {
        var line = File.ReadAllLines(Path.Combine(StateDirectory, "events.log")).Last(l => l.EndsWith(" " + what, StringComparison.Ordinal));
        return FromEpoch(line.Split(' ')[0]);
    }

    /// <summary>Power changes a node's BMC made after <paramref name="after"/>.</summary>
    public static IReadOnlyList<(DateTimeOffset At, bool On)> PowerChanges(string node, DateTimeOffset after)
    {
        var file = Path.Combine(StateDirectory, node, "boots.log");
        return !File.Exists(file)
            ? []
            : [.. File.ReadAllLines(file).Select(l => l.Split(' ')).Where(p => p.Length == 2)
                .Select(p => (FromEpoch(p[0]), p[1] == "on")).Where(p => p.Item1 > after)];
    }

    /// <summary>The node's BMC says its power is off (a fence with <c>stonith-action=off</c>).</summary>
    public static bool PoweredOff(string node)
    {
        var file = Path.Combine(StateDirectory, node, "power");
        return File.Exists(file) && File.ReadAllText(file).Trim() == "off";
    }

    public static bool ContainerRunning(string node)
    {
        var file = Path.Combine(StateDirectory, node, "pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
               File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
    }

    public bool UnitActive(string node, string unit) => ContainerRunning(node) && Run(TimeSpan.FromSeconds(30), "exec", node, "systemctl", "is-active", "-q", unit).ExitCode == 0;

    /// <summary>hactl status lists all three nodes online.</summary>
    public bool AllOnline() => Run(TimeSpan.FromSeconds(60), "hactl", "status").Output.Contains("Online: [ n1 n2 n3 ]", StringComparison.Ordinal);

    /// <summary>systemd's messages in a node since <paramref name="since"/> (journalctl -o short-unix), or empty.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Text)> Journal(string node, DateTimeOffset since)
    {
        if (!ContainerRunning(node))
        {
            return [];
        }

        var epoch = (since.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);
        var (code, output, _) = Run(TimeSpan.FromSeconds(30), "exec", node, "journalctl", "-o", "short-unix", "--no-pager", "--since", "@" + epoch);
        if (code != 0)
        {
            return [];
        }

        var lines = new List<(DateTimeOffset, string)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && decimal.TryParse(line[..space], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
            {
                lines.Add((FromEpoch(line[..space]), line[(space + 1)..]));
            }
        }

        return lines;
    }

    /// <summary>clusterd's log lines of every node written at or after <paramref name="since"/> (time, node, text).</summary>
    public static IReadOnlyList<(DateTimeOffset At, string Node, string Text)> ClusterdLog(DateTimeOffset since)
    {
        var lines = new List<(DateTimeOffset, string, string)>();
        foreach (var node in Nodes)
        {
            var dir = Path.Combine(StateDirectory, node, "log");
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(dir, "*.log"))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                // Only the tail can hold lines since the failure: the benchmark reads it right after a run.
                stream.Seek(Math.Max(0, stream.Length - (4 << 20)), SeekOrigin.Begin);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (reader.ReadLine() is { } line)
                {
                    if (line.Length > 26 && line[4] == '-' && DateTimeOffset.TryParseExact(line[..25], "yyyy-MM-dd HH:mm:ss.ffff'Z'",
                            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at >= since)
                    {
                        lines.Add((at, node, line[26..]));
                    }
                }
            }
        }

        return [.. lines.OrderBy(l => l.Item1)];
    }

    public static DateTimeOffset FromEpoch(string text) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));

    /// <summary>
    /// Waits until the lab is steady: every node's container runs, the stack's daemon runs everywhere, the virtual IP
    /// is on one node that serves HTTP through it (and, with clusterd, hactl lists all nodes online); the state must
    /// hold for a second. Returns the holder, or null after <paramref name="limit"/>.
    /// </summary>
    public async Task<string?> WaitSteadyAsync(Stack stack, VirtualIpChecker checker, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        string? candidate = null;
        var since = TimeSpan.Zero;
        while (clock.Elapsed < limit)
        {
            var holder = await HolderAsync(stack, checker);
            if (holder is not null && holder == candidate)
            {
                if (clock.Elapsed - since >= TimeSpan.FromSeconds(1))
                {
                    return holder;
                }
            }
            else
            {
                candidate = holder;
                since = clock.Elapsed;
            }

            await Task.Delay(250);
        }

        return null;
    }

    private async Task<string?> HolderAsync(Stack stack, VirtualIpChecker checker)
    {
        if (!Nodes.All(ContainerRunning) || checker.Holders() is not [var holder])
        {
            return null;
        }

        var answer = await HttpProbe.GetAsync(VirtualIp, TimeSpan.FromSeconds(1), CancellationToken.None);
        if (answer is not { Status: 200 } || answer.Node != holder)
        {
            return null;
        }

        if (stack == Stack.Keepalived)
        {
            return Nodes.All(n => UnitActive(n, "keepalived.service")) ? holder : null;
        }

        return Nodes.Where(n => UnitActive(n, "haproxy.service")).SequenceEqual([holder]) && AllOnline() ? holder : null;
    }

    [GeneratedRegex(@"link/ether ([0-9a-f:]{17})")]
    private static partial Regex EtherPattern();
}
