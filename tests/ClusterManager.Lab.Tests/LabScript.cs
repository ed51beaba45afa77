using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClusterManager.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterManager.Lab.Tests;

/// <summary>What a command printed and how it ended.</summary>
internal sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public string Describe() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Drives <c>deploy/lab/lab</c> (the script under test) from the repository this test was built from, and asks the
/// lab's nodes for their status over clusterd's API. The lab's names and addresses are fixed (one lab per machine).
/// </summary>
internal static class LabScript
{
    public const string StateDirectory = "/var/lib/cmlab";
    public const string Prefix = "cmlab-";
    public const int ApiPort = 7401;
    public static readonly string[] Nodes = ["n1", "n2", "n3"];

    /// <summary>Exit code of <c>lab up --exclusive</c> when a lab (or part of one) already exists.</summary>
    public const int AlreadyPresent = 3;

    public static string Path { get; } = System.IO.Path.Combine(RepositoryRoot(), "deploy", "lab", "lab");

    public static string NodeAddress(string node) => $"198.18.0.1{node[1..]}";

    public static CommandResult Lab(TimeSpan timeout, params string[] arguments) => Run(Path, arguments, timeout);

    public static CommandResult Lab(params string[] arguments) => Lab(TimeSpan.FromMinutes(2), arguments);

    public static CommandResult Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        process.StandardInput.Close();
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not end within {timeout}\n{output}\n{error}");
        }

        process.WaitForExit();
        lock (output)
        {
            lock (error)
            {
                return new CommandResult(process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }

    public static string RunChecked(params string[] arguments)
    {
        var result = Run(arguments[0], arguments.Skip(1), TimeSpan.FromMinutes(1));
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"{string.Join(' ', arguments)}: {result.Describe()}");
    }

    /// <summary>GetStatus of one node over its API, or null when it does not answer within two seconds.</summary>
    public static async Task<GetStatusResponse?> StatusAsync(string node, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress($"http://{NodeAddress(node)}:{ApiPort}");
        var client = new ClusterService.ClusterServiceClient(channel);
        try
        {
            return await client.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls until every node of <paramref name="nodes"/> answers, has quorum and names the same leader, one that
    /// <paramref name="acceptLeader"/> accepts (up to <paramref name="limit"/>); returns the last answers (a node that
    /// did not answer as null) so a test asserts on them.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, GetStatusResponse?>> WaitForAgreementAsync(
        IReadOnlyCollection<string> nodes, TimeSpan limit, CancellationToken cancellationToken, Func<string, bool>? acceptLeader = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var answers = new Dictionary<string, GetStatusResponse?>();
            foreach (var node in nodes)
            {
                answers[node] = await StatusAsync(node, cancellationToken);
            }

            var agreed = answers.Values.All(s => s is { HasQuorum: true } && s.Leader != "") &&
                answers.Values.Select(s => s!.Leader).Distinct(StringComparer.Ordinal).Count() == 1 &&
                (acceptLeader?.Invoke(answers.Values.First()!.Leader) ?? true);
            if (agreed || deadline.Elapsed > limit)
            {
                return answers;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms up to <paramref name="limit"/>.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                return false;
            }

            Thread.Sleep(100);
        }

        return true;
    }

    /// <summary>The pid a lab state file names (<c>STATE/NAME/pid</c>), or null.</summary>
    public static int? RecordedPid(string name)
    {
        var file = System.IO.Path.Combine(StateDirectory, name, "pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
    }

    /// <summary>Whether a process runs (a zombie waiting for its parent to reap it does not count).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Everything of a lab still present: namespaces, interfaces, cgroups, the state directory, processes.</summary>
    public static IReadOnlyList<string> Leftovers()
    {
        var left = new List<string>();
        left.AddRange(RunChecked("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith(Prefix, StringComparison.Ordinal)).Select(l => "namespace " + l));
        left.AddRange(RunChecked("ip", "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": ")[1].Split('@')[0]).Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => "interface " + n));
        foreach (var root in new[] { "/sys/fs/cgroup", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified" })
        {
            if (Directory.Exists(root))
            {
                left.AddRange(Directory.GetDirectories(root, Prefix + "*").Select(d => "cgroup " + d));
            }
        }

        if (Directory.Exists(StateDirectory))
        {
            left.Add("directory " + StateDirectory);
        }

        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                pid != Environment.ProcessId && CommandLine(pid) is { } command &&
                (command.Contains(StateDirectory, StringComparison.Ordinal) || ReadOrNull($"/proc/{pid}/cgroup") is { } cgroup &&
                    cgroup.Contains("/" + Prefix, StringComparison.Ordinal)) &&
                IsAlive(pid))
            {
                left.Add($"process {pid}: {command}");
            }
        }

        return left;
    }

    private static string? CommandLine(int pid) => ReadOrNull($"/proc/{pid}/cmdline")?.Replace('\0', ' ');

    private static string? ReadOrNull(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.Append(line).Append('\n');
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ClusterManager.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no ClusterManager.sln above {AppContext.BaseDirectory}");
    }
}
