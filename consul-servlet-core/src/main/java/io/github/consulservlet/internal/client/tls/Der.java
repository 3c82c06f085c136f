package io.github.consulservlet.internal.client.tls;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Just enough DER to wrap PKCS#1 RSA and SEC1 EC private keys into PKCS#8, the one form the JDK
 * reads (RFC 5208, RFC 8017, RFC 5915).
 *
 * <p>The key comes from a file a webapp names, so it may be anything: every length is checked
 * against the bytes that hold it before it is used, and each step of the walk moves strictly
 * forward, so that no input can make the parser loop or read past its end; what is not DER is a
 * {@link GeneralSecurityException} saying where.
 */
final class Der {
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final byte[] EC_PUBLIC_KEY_OID = {
        0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};
    private static final int SEQUENCE = 0x30;
    private static final int CURVE_FIELD = 0xA0;

    private Der() {
    }

    static byte[] wrapRsa(byte[] pkcs1) throws GeneralSecurityException {
        int[] outer = header(pkcs1, 0, pkcs1.length);
        if ((pkcs1[0] & 0xFF) != SEQUENCE || outer[0] + outer[1] != pkcs1.length) {
            throw new GeneralSecurityException("RSA PRIVATE KEY is not one DER sequence");
        }
        return sequence(VERSION_0, RSA_ALGORITHM, tlv(0x04, pkcs1));
    }

    /** SEC1 carries its curve in the optional [0] field, which PKCS#8 wants in the algorithm. */
    static byte[] wrapEc(byte[] sec1) throws GeneralSecurityException {
        byte[] curve = null;
        int[] outer = header(sec1, 0, sec1.length);
        if ((sec1[0] & 0xFF) != SEQUENCE) {
            throw new GeneralSecurityException("EC PRIVATE KEY is not a DER sequence");
        }
        int position = outer[0];
        int end = outer[0] + outer[1];
        while (position < end) {
            int tag = sec1[position] & 0xFF;
            int[] field = header(sec1, position, end);
            if (tag == CURVE_FIELD) {
                curve = Arrays.copyOfRange(sec1, field[0], field[0] + field[1]);
            }
            position = field[0] + field[1]; // > position: a header is at least two bytes, a length never negative
        }
        if (curve == null) {
            throw new GeneralSecurityException("EC PRIVATE KEY does not name its curve");
        }
        return sequence(VERSION_0, sequence(EC_PUBLIC_KEY_OID, curve), tlv(0x04, sec1));
    }

    /**
     * {offset of the content, length of the content} of the element at {@code at}, whose content
     * must end by {@code limit} (the end of the element that holds it).
     */
    static int[] header(byte[] der, int at, int limit) throws GeneralSecurityException {
        if (at < 0 || limit > der.length || at + 2 > limit) {
            throw new GeneralSecurityException("truncated DER at byte " + at);
        }
        int first = der[at + 1] & 0xFF;
        if (first < 0x80) {
            return checked(at + 2, first, limit, at);
        }
        int count = first & 0x7F;
        if (count == 0 || count > 3) { // indefinite lengths are not DER; no key needs 16 MB
            throw new GeneralSecurityException("unsupported DER length form 0x" + Integer.toHexString(first) + " at byte " + at);
        }
        if (at + 2 + count > limit) {
            throw new GeneralSecurityException("truncated DER length at byte " + at);
        }
        int length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xFF);
        }
        return checked(at + 2 + count, length, limit, at);
    }

    private static int[] checked(int content, int length, int limit, int at) throws GeneralSecurityException {
        if (length > limit - content) {
            throw new GeneralSecurityException("DER element at byte " + at + " claims " + length
                    + " bytes, more than the " + (limit - content) + " that follow");
        }
        return new int[] {content, length};
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(SEQUENCE, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
