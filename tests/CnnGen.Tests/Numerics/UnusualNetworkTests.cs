using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// Unusual but legal declarations against PyTorch (tools/make_fixtures_unusual.py, Fixtures/unusual): odd and prime
    /// sizes, rectangular and even windows, strides past the window, Same and SameLower, padding past the window,
    /// dilation, groups and channel multipliers, 1x1 and 1-wide maps, ceil-mode and padded pools, filter counts off the
    /// vector width, the carried layouts with every kind of padding and Add, Concats of the input and of a layer with
    /// itself, batch norm and activations anywhere. Each network is declared as the fixture writes it, loads the
    /// <c>state_dict</c> PyTorch saved, and runs the generator's <c>Forward</c> on an input both sides compute from the
    /// case's name (a linear congruential generator, exact in float32), on whichever kernel path the run takes.
    /// </summary>
    public sealed class UnusualNetworkTests : IClassFixture<UnusualNetworkTests.Compiled>
    {
        private readonly Compiled _compiled;

        public UnusualNetworkTests(Compiled compiled)
        {
            _compiled = compiled;
        }

        public static IEnumerable<object[]> Names => Case.Load().Select(c => new object[] { c.Name });

        [Theory]
        [MemberData(nameof(Names))]
        public void Forward_matches_PyTorch(string name)
        {
            Case c = _compiled.Cases[name];
            var net = (IGraphNetwork)Activator.CreateInstance(_compiled.Type(c))!;
            using (FileStream weights = File.OpenRead(c.WeightsPath))
            {
                net.LoadSafetensors(weights);
            }

            float[] input = c.Input();
            var output = new float[c.OutputLength];
            net.Forward(input, output);
            Numbers.AssertClose(c.Output(), output, name + " " + c.Declaration);

            // ForwardBatch on two copies (the batch workers): each sample's result is Forward's, bit for bit (-0 included).
            var outputs = new float[2 * c.OutputLength];
            net.ForwardBatch(input.Concat(input).ToArray(), outputs);
            Assert.True(MemoryMarshal.AsBytes(outputs.AsSpan(0, c.OutputLength)).SequenceEqual(MemoryMarshal.AsBytes(output.AsSpan())), name + ": ForwardBatch's first sample differs from Forward");
            Assert.True(MemoryMarshal.AsBytes(outputs.AsSpan(c.OutputLength)).SequenceEqual(MemoryMarshal.AsBytes(output.AsSpan())), name + ": ForwardBatch's second sample differs from Forward");
        }

        [Fact]
        public void The_input_is_the_one_the_script_computed()
        {
            // The first values tools/make_fixtures_unusual.py computes for this name (CRC-32 0xD88CC12E): a change on either
            // side would move every case's input at once.
            Assert.Equal(new[] { -1.2805733680725098f, -1.1606311798095703f, 1.552929401397705f, -0.9725799560546875f }, Case.Lcg("N01_Odd7x13x5", 4));
        }

        /// <summary>One case of Fixtures/unusual/cases.json.</summary>
        public sealed record Case(string Name, string Declaration, int InputLength, int OutputLength)
        {
            private static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "unusual");

            public string ClassName => "Unusual_" + Name;

            public string WeightsPath => Path.Combine(Folder, Name + ".safetensors");

            public static IReadOnlyList<Case> Load()
            {
                using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
                return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
                    c.GetProperty("name").GetString()!,
                    c.GetProperty("declaration").GetString()!,
                    c.GetProperty("input_length").GetInt32(),
                    c.GetProperty("output_length").GetInt32())).ToList();
            }

            public float[] Input() => Lcg(Name, InputLength);

            public float[] Output()
            {
                byte[] bytes = File.ReadAllBytes(Path.Combine(Folder, Name + ".out.f32"));
                Assert.Equal(OutputLength * sizeof(float), bytes.Length);
                var values = new float[OutputLength];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = BitConverter.ToSingle(bytes, i * sizeof(float)); // little-endian, as written
                }

                return values;
            }

            /// <summary>state = 1664525·state + 1013904223 mod 2^32 from the CRC-32 of the name; value (state >> 8) / 2^24 · 4 − 2.</summary>
            public static float[] Lcg(string name, int length)
            {
                uint state = Crc32(Encoding.UTF8.GetBytes(name));
                var values = new float[length];
                for (int i = 0; i < length; i++)
                {
                    state = unchecked((1664525u * state) + 1013904223u);
                    values[i] = (float)(((state >> 8) / 16777216.0 * 4.0) - 2.0);
                }

                return values;
            }

            /// <summary>CRC-32 (IEEE, reflected, as zlib.crc32).</summary>
            private static uint Crc32(byte[] bytes)
            {
                uint crc = 0xFFFFFFFFu;
                foreach (byte b in bytes)
                {
                    crc ^= b;
                    for (int bit = 0; bit < 8; bit++)
                    {
                        crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
                    }
                }

                return ~crc;
            }
        }

        /// <summary>Every case's network compiled once, in one compilation, with warnings as errors.</summary>
        public sealed class Compiled
        {
            private readonly Assembly _assembly;

            public Compiled()
            {
                Cases = Case.Load().ToDictionary(c => c.Name);
                _assembly = TestCompiler.CompileNetworks(Cases.Values.Select(c => (c.Declaration, c.ClassName)));
            }

            public IReadOnlyDictionary<string, Case> Cases { get; }

            public Type Type(Case c) => _assembly.GetType(c.ClassName, throwOnError: true)!;
        }
    }
}
