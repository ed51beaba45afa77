using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ClusterManager.Daemon.Options;

namespace ClusterManager.Daemon.Security;

/// <summary>
/// The node's certificate and the cluster CA, and the TLS settings built from them. A peer or client certificate is
/// accepted when it chains to the cluster CA alone (custom root trust: the system store is not consulted). The CA is
/// dedicated to one cluster, so the host name is not checked: nodes address each other by IP.
/// </summary>
public sealed class ClusterTls : IDisposable
{
    private ClusterTls(X509Certificate2 ca, X509Certificate2 certificate)
    {
        Ca = ca;
        Certificate = certificate;
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>Loads the PEM files named in <paramref name="options"/>; null when TLS is off.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">A file is not a PEM certificate or key.</exception>
    public static ClusterTls? Load(SecurityOptions options)
    {
        if (!options.TlsEnabled)
        {
            return null;
        }

        var ca = X509CertificateLoader.LoadCertificateFromFile(options.CaFile!);
        var certificate = X509Certificate2.CreateFromPemFile(options.CertificateFile!, options.KeyFile);
        return new ClusterTls(ca, certificate);
    }

    /// <summary>True when <paramref name="certificate"/> was issued by the cluster CA and is currently valid.</summary>
    public bool IsTrusted(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = Certificate,
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = (_, cert, _, _) => IsTrusted(cert),
    };

    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        ClientCertificates = [Certificate],
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = (_, cert, _, _) => IsTrusted(cert),
    };

    public void Dispose()
    {
        Ca.Dispose();
        Certificate.Dispose();
    }
}

/// <summary>The node's TLS material, or none when TLS is off (a DI singleton, so consumers need not handle a null service).</summary>
public sealed record NodeSecurity(ClusterTls? Tls);
