using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace FashionMnist;

/// <summary>Reads the Fashion-MNIST files (IDX format, gzip) and 28x28 grayscale PGM images.</summary>
public static class Data
{
    /// <summary>Images as floats in [0, 1], one 28x28 plane after another (CHW with C = 1).</summary>
    public static (float[] Pixels, int Count) ReadImages(string path)
    {
        byte[] bytes = Unzip(path);
        if (bytes.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(bytes) != 2051)
        {
            throw new InvalidDataException($"{path} is not an IDX image file.");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        int columns = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (rows != 28 || columns != 28 || bytes.Length != 16 + (count * 784))
        {
            throw new InvalidDataException($"{path}: expected 28x28 images, found {rows}x{columns}.");
        }

        var pixels = new float[count * 784];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = bytes[16 + i] / 255f;
        }

        return (pixels, count);
    }

    public static byte[] ReadLabels(string path)
    {
        byte[] bytes = Unzip(path);
        if (bytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(bytes) != 2049)
        {
            throw new InvalidDataException($"{path} is not an IDX label file.");
        }

        return bytes.AsSpan(8).ToArray();
    }

    /// <summary>
    /// Reads a 28x28 grayscale PGM (P2 text or P5 binary, any maxval) as floats in [0, 1]. Fashion-MNIST
    /// images are light garments on a black background; a photo should be inverted and centred to match.
    /// </summary>
    public static float[] ReadPgm(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int position = 0;
        string magic = Token(bytes, ref position);
        if (magic is not ("P2" or "P5"))
        {
            throw new InvalidDataException($"{path} is not a PGM file (P2 or P5); convert it, e.g. with: convert in.png -resize 28x28! -colorspace Gray out.pgm");
        }

        int width = int.Parse(Token(bytes, ref position));
        int height = int.Parse(Token(bytes, ref position));
        int maxValue = int.Parse(Token(bytes, ref position));
        if (width != 28 || height != 28 || maxValue < 1 || maxValue > 65535)
        {
            throw new InvalidDataException($"{path} is {width}x{height}; the network takes 28x28 images.");
        }

        var pixels = new float[784];
        if (magic == "P2")
        {
            for (int i = 0; i < 784; i++)
            {
                pixels[i] = int.Parse(Token(bytes, ref position)) / (float)maxValue;
            }
        }
        else
        {
            position++; // the single whitespace after maxval
            int size = maxValue > 255 ? 2 : 1;
            if (bytes.Length < position + (784 * size))
            {
                throw new InvalidDataException($"{path} is truncated.");
            }

            for (int i = 0; i < 784; i++)
            {
                int value = size == 1 ? bytes[position + i] : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + (2 * i)));
                pixels[i] = value / (float)maxValue;
            }
        }

        return pixels;
    }

    private static string Token(byte[] bytes, ref int position)
    {
        while (position < bytes.Length)
        {
            if (bytes[position] == '#')
            {
                while (position < bytes.Length && bytes[position] != '\n')
                {
                    position++;
                }
            }
            else if (char.IsWhiteSpace((char)bytes[position]))
            {
                position++;
            }
            else
            {
                break;
            }
        }

        int start = position;
        while (position < bytes.Length && !char.IsWhiteSpace((char)bytes[position]))
        {
            position++;
        }

        if (start == position)
        {
            throw new InvalidDataException("The PGM header ends early.");
        }

        return System.Text.Encoding.ASCII.GetString(bytes, start, position - start);
    }

    private static byte[] Unzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
