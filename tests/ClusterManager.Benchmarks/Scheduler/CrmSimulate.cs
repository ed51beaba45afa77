using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>Actions of a transition by kind (runnable ones only: what would be executed).</summary>
public sealed record ActionCounts(int Total, int Probes, int Starts, int Stops, int Fences);

/// <summary>
/// One timed run of crm_simulate. <see cref="Status"/>: ok, timeout, error. Peak RSS is the child's
/// high-water mark (VmHWM), CPU is user+sys of the child (getrusage of reaped children).
/// </summary>
public sealed record CrmRun(string Status, double WallSeconds, double CpuSeconds, double PeakRssMb, ActionCounts? Counts, string? Error);

/// <summary>
/// Runs Pacemaker's <c>crm_simulate</c> (Debian: pacemaker-cli-utils) as the reference measured it:
/// <c>crm_simulate -x CIB -R</c> (plus <c>-G</c> to count the graph's actions), with <c>CIB_shadow_dir</c> set to
/// a scratch directory, and <c>crm_simulate -x CIB -S</c> for the revised placement.
/// </summary>
public static class CrmSimulate
{
    /// <summary>The executable, or null when Pacemaker's tools are not installed.</summary>
    public static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, "crm_simulate");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public const string InstallHint =
        "crm_simulate not found: install Pacemaker's CLI tools to compare (Debian: apt-get install pacemaker-cli-utils)";

    /// <summary>Times <c>crm_simulate -x CIB -R -G graph</c>; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<CrmRun> TimeAsync(string exe, string cib, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("cmbench-crm-");
        try
        {
            var graph = Path.Combine(scratch.FullName, "graph.exp");
            var before = ChildCpuSeconds();
            var (status, wall, peakKb, stderr) = await RunAsync(
                exe, ["-x", cib, "-R", "-G", graph], scratch.FullName, timeout, stdout: null, cancellationToken);
            var cpu = ChildCpuSeconds() - before;
            ActionCounts? counts = null;
            string? error = null;
            if (status == "ok")
            {
                try
                {
                    counts = CountGraph(graph);
                }
                catch (XmlException e)
                {
                    status = "error";
                    error = $"unreadable transition graph: {e.Message}";
                }
            }

            if (error is null && status != "timeout" && stderr.Length > 0)
            {
                // A generated CIB must be accepted silently: anything on stderr is reported.
                error = stderr;
            }

            return new CrmRun(status, wall, cpu, peakKb / 1024.0, counts, error);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Runs <c>crm_simulate -x CIB -S</c> and returns its text output (null on failure or timeout).</summary>
    public static async Task<(string? Output, string? Error)> SimulateAsync(
        string exe, string cib, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("cmbench-crm-");
        try
        {
            var output = new StringBuilder();
            var (status, _, _, stderr) = await RunAsync(exe, ["-x", cib, "-S"], scratch.FullName, timeout, output, cancellationToken);
            return status == "ok" ? (output.ToString(), null) : (null, $"crm_simulate -S: {status} {stderr}".Trim());
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static async Task<(string Status, double Wall, long PeakKb, string Stderr)> RunAsync(
        string exe, string[] args, string shadowDir, TimeSpan timeout, StringBuilder? stdout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["CIB_shadow_dir"] = shadowDir;
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && stdout is not null)
            {
                stdout.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && stderr.Length < 4000)
            {
                stderr.AppendLine(e.Data);
            }
        };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long peakKb = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var exited = process.WaitForExitAsync(deadline.Token);
        var timedOut = false;
        while (!exited.IsCompleted)
        {
            peakKb = Math.Max(peakKb, HighWaterMarkKb(process.Id));
            try
            {
                await Task.WhenAny(exited, Task.Delay(50, CancellationToken.None));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        try
        {
            await exited;
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var wall = clock.Elapsed.TotalSeconds;
        cancellationToken.ThrowIfCancellationRequested();
        var status = timedOut ? "timeout" : process.ExitCode == 0 ? "ok" : "error";
        var errorText = status == "error" ? $"exit {process.ExitCode}: {stderr.ToString().Trim()}" : stderr.ToString().Trim();
        return (status, wall, peakKb, errorText);
    }

    /// <summary>Counts a transition graph's actions: synapses, probes (monitor_0), starts, stops, fencing.</summary>
    public static ActionCounts CountGraph(string graph)
    {
        int synapses = 0, probes = 0, starts = 0, stops = 0, fences = 0;
        using var reader = XmlReader.Create(graph, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            switch (reader.LocalName)
            {
                case "synapse":
                    synapses++;
                    break;
                case "rsc_op" when reader.Depth > 0 && IsInActionSet(reader):
                    var operation = reader.GetAttribute("operation");
                    var key = reader.GetAttribute("operation_key") ?? "";
                    if (operation == "monitor" && key.EndsWith("_monitor_0", StringComparison.Ordinal))
                    {
                        probes++;
                    }
                    else if (operation == "start")
                    {
                        starts++;
                    }
                    else if (operation == "stop")
                    {
                        stops++;
                    }

                    break;
                case "crm_event" when IsInActionSet(reader) && reader.GetAttribute("operation") == "stonith":
                    fences++;
                    break;
                default:
                    break;
            }
        }

        return new ActionCounts(synapses, probes, starts, stops, fences);
    }

    // Actions appear twice in a graph: in a synapse's action_set (the action) and in its inputs (triggers).
    // The action_set holds them at depth 3 (transition_graph/synapse/action_set/ACTION).
    private static bool IsInActionSet(XmlReader reader) => reader.Depth == 3;

    private static long HighWaterMarkKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var digits = new string([.. line.Where(char.IsAsciiDigit)]);
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process has just exited: the last sample stands.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    private const int RusageChildren = -1;

    private static double ChildCpuSeconds()
    {
        if (!OperatingSystem.IsLinux() || GetRusage(RusageChildren, out var usage) != 0)
        {
            return 0;
        }

        return usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRss;
        public long IxRss;
        public long IdRss;
        public long IsRss;
        public long MinFlt;
        public long MajFlt;
        public long NSwap;
        public long InBlock;
        public long OuBlock;
        public long MsgSnd;
        public long MsgRcv;
        public long NSignals;
        public long NvCsw;
        public long NivCsw;
    }

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetRusage(int who, out Rusage usage);
}
