using System.Diagnostics;

namespace ClusterManager.Vrrp.Host;

/// <summary>Runs helper commands (<c>ip</c>, track and notify scripts).</summary>
internal static class Processes
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>, optional stdin; returns exit code and stderr. Kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Error)> RunAsync(string file, IEnumerable<string> args, string? stdin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return (-1, "timed out");
        }

        await stdout.ConfigureAwait(false);
        return (process.ExitCode, (await stderr.ConfigureAwait(false)).Trim());
    }

    /// <summary>Runs a shell command line.</summary>
    public static Task<(int ExitCode, string Error)> ShellAsync(string commandLine, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync("/bin/sh", ["-c", commandLine], null, timeout, cancellationToken);
}
