package io.catchment.collector;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for HTTPS: loads PEM files into a key store, and creates a self-signed development certificate. */
public final class Tls {
    public static final char[] PASSWORD = "catchment".toCharArray();

    private Tls() {}

    /** A key store holding the key and its certificate chain from PEM files. */
    public static KeyStore load(Path certPem, Path keyPem) throws IOException, GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
        try (Reader r = Files.newBufferedReader(certPem);
                PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) chain.add(certs.getCertificate(h));
            }
        }
        if (chain.isEmpty()) throw new GeneralSecurityException(certPem + " holds no PEM certificate");
        PrivateKey key = null;
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(keyPem);
                PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null && key == null; o = p.readObject()) {
                if (o instanceof PEMKeyPair kp) key = keys.getKeyPair(kp).getPrivate();
                else if (o instanceof PrivateKeyInfo info) key = keys.getPrivateKey(info);
            }
        }
        if (key == null) {
            throw new GeneralSecurityException(keyPem + " holds no unencrypted PEM private key (PKCS#8, RSA or EC)");
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("catchment", key, PASSWORD, chain.toArray(new Certificate[0]));
        return ks;
    }

    /**
     * Writes {@code dev-cert.pem} and {@code dev-key.pem} into {@code dir} unless they exist: an RSA 2048 key and a
     * self-signed certificate for localhost, 127.0.0.1 and ::1, valid for a year. Returns the two paths.
     */
    public static Path[] selfSigned(Path dir) throws IOException, GeneralSecurityException {
        Path cert = dir.resolve("dev-cert.pem");
        Path key = dir.resolve("dev-key.pem");
        if (Files.exists(cert) && Files.exists(key)) return new Path[] {cert, key};
        Files.createDirectories(dir);
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048, new SecureRandom());
        KeyPair pair = gen.generateKeyPair();
        X500Name name = new X500Name("CN=Catchment development certificate");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(
                name,
                new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(365))),
                name,
                pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")
        }));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        X509Certificate x509;
        try {
            x509 = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the development certificate", e);
        }
        Path tmpKey = dir.resolve("dev-key.pem.tmp");
        Files.deleteIfExists(tmpKey);
        Files.createFile(tmpKey, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(tmpKey);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(pair.getPrivate());
        }
        try (Writer w = Files.newBufferedWriter(cert);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(x509);
        }
        Files.move(tmpKey, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Path[] {cert, key};
    }
}
