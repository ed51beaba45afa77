using System.Diagnostics;
using System.Security.Cryptography;

namespace ClusterManager.Cli.Tests.Host;

/// <summary>
/// A temporary local account with a random password (useradd, chpasswd), optionally in group haclient, with a unique
/// name; removed (userdel) on dispose, also after a failed test.
/// </summary>
internal sealed class TestAccount : IDisposable
{
    private TestAccount(string name, string password)
    {
        Name = name;
        Password = password;
    }

    public string Name { get; }

    public string Password { get; }

    public static TestAccount Create(bool inHaclient)
    {
        var name = "cmth" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var password = "Pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        string[] add = ["--no-create-home", "--shell", "/usr/sbin/nologin", .. inHaclient ? new[] { "-G", "haclient" } : [], name];
        Run("useradd", add, null);
        var account = new TestAccount(name, password);
        try
        {
            Run("chpasswd", [], $"{name}:{password}\n");
            return account;
        }
        catch
        {
            account.Dispose();
            throw;
        }
    }

    public void Dispose() => Run("userdel", [Name], null, check: false);

    private static void Run(string command, string[] args, string? input, bool check = true)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}
