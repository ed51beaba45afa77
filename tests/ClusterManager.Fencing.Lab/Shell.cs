using System.Diagnostics;

namespace ClusterManager.Fencing.Lab;

/// <summary>Runs lab commands. A failing command is broken infrastructure, so it throws with its output.</summary>
public static class Shell
{
    public static string Run(string file, params string[] arguments) => Run(file, arguments, check: true).Stdout;

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> arguments, bool check) =>
        Run(file, arguments, check, input: "");

    /// <summary>Runs a command with <paramref name="input"/> on its stdin.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> arguments, bool check, string input)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} did not finish in 60 s");
        }

        var result = (process.ExitCode, stdout, stderr.Result);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', info.ArgumentList)} failed with {process.ExitCode}: {stderr.Result}{stdout}");
        }

        return result;
    }

    /// <summary>Starts a long-running process detached from our stdio; returns its pid.</summary>
    public static int Start(string file, IEnumerable<string> arguments, string logFile)
    {
        var all = new List<string> { "-c", "exec \"$@\" </dev/null >>\"$0\" 2>&1", logFile, file };
        all.AddRange(arguments);
        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false };
        foreach (var a in all)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        return process.Id;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            // A zombie is dead for our purposes (its parent has not reaped it yet).
            return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // no such process, or it vanished while we read
        }
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL.</summary>
    public static void Stop(int pid, TimeSpan grace)
    {
        if (!IsAlive(pid))
        {
            return;
        }

        Run("/bin/kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], check: false);
        var deadline = Stopwatch.StartNew();
        while (IsAlive(pid) && deadline.Elapsed < grace)
        {
            Thread.Sleep(50);
        }

        if (IsAlive(pid))
        {
            Run("/bin/kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], check: false);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false after <paramref name="timeout"/>.</summary>
    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    /// <summary>The repository root (the directory holding ClusterManager.sln), found from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterManager.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ClusterManager.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The project's own fence agents (fencing-agents/ in the repository).</summary>
    public static string FencingAgentsDirectory() => Path.Combine(RepositoryRoot(), "fencing-agents");
}
