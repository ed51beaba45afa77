using System.Diagnostics;
using System.Text;
using ClusterManager.Agents.Interop;

namespace ClusterManager.Agents.Execution;

/// <summary>
/// How a child process ended: its exit status (128+N when a signal ended it), null when it timed out or was
/// cancelled, and the (size-limited) text it wrote to stdout and stderr.
/// </summary>
internal sealed record ProcessOutcome(int? ExitCode, bool TimedOut, bool Cancelled, string Output, string ErrorOutput);

/// <summary>
/// Runs an agent executable in its own session and process group, with stdout and stderr going to files.
/// Completion is the process's exit, not the end of its output: agents (Debian's IPaddr2) leave background
/// children such as <c>send_arp</c> holding whatever the agent had as stdout, and a pipe would keep us waiting
/// for them. On timeout or cancellation the whole process group is killed with SIGKILL.
/// </summary>
internal sealed class AgentProcessRunner(TimeProvider timeProvider, string workDirectory)
{
    private const int MaxOutputBytes = 64 * 1024;

    // exec replaces sh with the agent (same pid, so the pid stays the session and group leader) after pointing
    // its stdin at /dev/null and stdout/stderr at the two files given as $1 and $2.
    private const string ExecScript = "o=$1; e=$2; shift 2; exec \"$@\" </dev/null >\"$o\" 2>\"$e\"";

    public async Task<ProcessOutcome> RunAsync(
        string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDirectory);
        var dir = Directory.CreateDirectory(Path.Combine(workDirectory, "op-" + Guid.NewGuid().ToString("N")));
        try
        {
            var outFile = Path.Combine(dir.FullName, "out");
            var errFile = Path.Combine(dir.FullName, "err");
            var psi = new ProcessStartInfo("setsid")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in (string[])["/bin/sh", "-c", ExecScript, "sh", outFile, errFile, file, .. arguments])
            {
                psi.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in environment)
            {
                psi.Environment[key] = value;
            }

            using var process = Process.Start(psi) ?? throw new InvalidOperationException("setsid did not start");
            process.StandardInput.Close();
            using var timeoutCts = new CancellationTokenSource(timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
            bool timedOut = false, cancelled = false;
            try
            {
                // No BeginOutputReadLine: WaitForExitAsync then waits for the exit only, not for EOF on the pipes.
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancelled = cancellationToken.IsCancellationRequested;
                timedOut = !cancelled;
                KillGroup(process.Id);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            var output = ReadLimited(outFile);
            var error = ReadLimited(errFile);
            return new ProcessOutcome(timedOut || cancelled ? null : process.ExitCode, timedOut, cancelled, output, error);
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A background child may still be writing; the directory is in our private work area anyway.
            }
        }
    }

    /// <summary>Kills the process group led by <paramref name="pid"/> and the process itself.</summary>
    public static void KillGroup(int pid)
    {
        _ = Libc.kill(-pid, Libc.SigKill);
        _ = Libc.kill(pid, Libc.SigKill);
    }

    private static string ReadLimited(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[Math.Min(MaxOutputBytes, Math.Max(stream.Length, 0))];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
