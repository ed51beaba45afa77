using System.Diagnostics;
using System.Globalization;

namespace ClusterManager.Vrrp.Tests.Interop;

/// <summary>
/// A two-node L2 lab: namespaces &lt;prefix&gt;-sw (bridge), -n1 (198.18.0.11, MAC 02:00:c6:12:00:11) and -n2
/// (198.18.0.12). Unique prefix per lab; <see cref="Dispose"/> kills what runs inside and deletes everything.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    public const string Vip = "198.18.0.100";

    private readonly List<LabProcess> _processes = [];

    private NetnsLab(string prefix, string directory)
    {
        Prefix = prefix;
        Directory = directory;
    }

    public string Prefix { get; }

    /// <summary>Scratch directory for configs, pid files and logs.</summary>
    public string Directory { get; }

    public static string Namespace(NetnsLab lab, int node) => $"{lab.Prefix}-n{node}";

    /// <summary>Creates the lab; namespaces are named <paramref name="prefix"/>-&lt;6 hex digits&gt;-n1 and so on.</summary>
    public static NetnsLab Create(string prefix = "cmt-vrrp")
    {
        prefix = prefix + "-" + Convert.ToHexString(Guid.NewGuid().ToByteArray().AsSpan(0, 3)).ToLowerInvariant();
        var lab = new NetnsLab(prefix, System.IO.Directory.CreateTempSubdirectory(prefix + "-").FullName);
        try
        {
            var sw = prefix + "-sw";
            Ip($"netns add {sw}");
            Ip($"-n {sw} link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0");
            Ip($"-n {sw} link set br0 up");
            for (var i = 1; i <= 2; i++)
            {
                var ns = $"{prefix}-n{i}";
                Ip($"netns add {ns}");
                Ip($"-n {ns} link add eth0 type veth peer name h{i} netns {sw}");
                Ip($"-n {ns} link set eth0 address 02:00:c6:12:00:1{i}");
                Ip($"-n {ns} addr add 198.18.0.1{i}/24 dev eth0");
                Ip($"-n {ns} link set lo up");
                Ip($"-n {ns} link set eth0 up");
                Ip($"-n {sw} link set h{i} master br0");
                Ip($"-n {sw} link set h{i} up");
            }
        }
        catch
        {
            lab.Dispose();
            throw;
        }

        return lab;
    }

    /// <summary>Whether node 1 or 2 holds the VIP.</summary>
    public bool HasVip(int node) => Run("ip", $"-n {Prefix}-n{node} -4 -o addr show").Output.Contains($" {Vip}/", StringComparison.Ordinal);

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Starts <paramref name="command"/> inside node <paramref name="node"/>'s namespace, output to a log file.</summary>
    public LabProcess Start(int node, string name, string command, string arguments)
    {
        var log = Path.Combine(Directory, name + ".log");
        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", $"{Prefix}-n{node}", command }.Concat(SplitArgs(arguments)))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        var sync = new object();
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (sync)
                {
                    writer.WriteLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var labProcess = new LabProcess(process, log, writer);
        _processes.Add(labProcess);
        return labProcess;
    }

    public static (int ExitCode, string Output) Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in SplitArgs(arguments))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + stderr.Result);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Kill();
        }

        foreach (var suffix in new[] { "n1", "n2", "sw" })
        {
            var ns = $"{Prefix}-{suffix}";
            foreach (var pid in Run("ip", $"netns pids {ns}").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    Run("kill", $"-9 {id}");
                }
            }

            Run("ip", $"netns del {ns}");
        }

        foreach (var process in _processes)
        {
            process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Ip(string arguments)
    {
        var (exitCode, output) = Run("ip", arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip {arguments} failed ({exitCode}): {output}");
        }
    }

    private static string[] SplitArgs(string arguments) => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A process the lab started (its pid is the daemon's: <c>ip netns exec</c> execs).</summary>
internal sealed class LabProcess(Process process, string logPath, StreamWriter log) : IDisposable
{
    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public string Log
    {
        get
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
    }

    public void Signal(string signal) => NetnsLab.Run("kill", $"-{signal} {Pid}");

    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
        log.Dispose();
    }
}
