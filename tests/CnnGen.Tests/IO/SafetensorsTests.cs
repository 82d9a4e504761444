using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Tests.Infrastructure;
using CnnGen.Tests.Numerics;
using Xunit;

namespace CnnGen.Tests.IO
{
    public sealed class SafetensorsNetworkFixture
    {
        public static readonly NetSpec Spec = new(8, 8, 2, new[] { LayerSpec.Conv(3, 3), LayerSpec.Relu(), LayerSpec.Pool(2), LayerSpec.Fc(4) });

        public SafetensorsNetworkFixture() => Networks = new CompiledNetworks(new[] { ("Small", Spec) });

        public CompiledNetworks Networks { get; }

        /// <summary>conv1.weight [3,2,3,3] (54), conv1.bias [3], fc1.weight [4,27] (108), fc1.bias [4]: 169 parameters.</summary>
        public const int ParameterCount = 54 + 3 + 108 + 4;
    }

    /// <summary>API.md section 6: the .safetensors format, strictly, and loads that fail change nothing.</summary>
    public sealed class SafetensorsTests : IClassFixture<SafetensorsNetworkFixture>
    {
        private readonly SafetensorsNetworkFixture _fixture;

        public SafetensorsTests(SafetensorsNetworkFixture fixture) => _fixture = fixture;

        private ITestNetwork Create(int seed)
        {
            ITestNetwork net = _fixture.Networks.Create("Small");
            net.SetParameters(Numbers.Random(new Random(seed), SafetensorsNetworkFixture.ParameterCount));
            return net;
        }

        private static void Save(ITestNetwork net, Stream stream) =>
            net.GetType().GetMethod("SaveSafetensors", new[] { typeof(Stream) })!.Invoke(net, new object[] { stream });

        private static void Load(ITestNetwork net, Stream stream)
        {
            try
            {
                net.GetType().GetMethod("LoadSafetensors", new[] { typeof(Stream) })!.Invoke(net, new object[] { stream });
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }

        /// <summary>Builds a safetensors file by hand from (name, dtype, shape, begin, end) entries and raw data.</summary>
        private static byte[] Build(string header, byte[] data)
        {
            byte[] json = Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + json.Length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
            json.CopyTo(bytes, 8);
            data.CopyTo(bytes, 8 + json.Length);
            return bytes;
        }

        private static string Entry(string name, string dtype, string shape, long begin, long end) =>
            $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

        /// <summary>A valid file for the Small network, built independently of the writer, with values 0.5·i.</summary>
        private static (byte[] File, float[] Values) ValidFile(string dtype = "F32")
        {
            int size = dtype == "F32" ? 4 : 2;
            var values = Enumerable.Range(0, SafetensorsNetworkFixture.ParameterCount).Select(i => 0.5f * (i % 64)).ToArray();
            var data = new byte[values.Length * size];
            for (int i = 0; i < values.Length; i++)
            {
                if (dtype == "F32")
                {
                    BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
                }
                else if (dtype == "F16")
                {
                    BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2 * i), (Half)values[i]);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
                }
            }

            string header = "{\"__metadata__\":{\"format\":\"pt\"}," +
                Entry("fc1.bias", dtype, "[4]", 165 * size, 169 * size) + "," +
                Entry("conv1.weight", dtype, "[3,2,3,3]", 0, 54 * size) + "," +
                Entry("conv1.bias", dtype, "[3]", 54 * size, 57 * size) + "," +
                Entry("fc1.weight", dtype, "[4,27]", 57 * size, 165 * size) + "}";
            return (Build(header, data), values);
        }

        [Fact]
        public void Save_then_load_round_trips_every_parameter()
        {
            ITestNetwork source = Create(1);
            using var stream = new MemoryStream();
            Save(source, stream);
            ITestNetwork target = Create(2);
            stream.Position = 0;
            Load(target, stream);
            Assert.True(target.Parameters.SequenceEqual(source.Parameters));
        }

        [Fact]
        public void Save_writes_the_format_as_the_spec_describes()
        {
            ITestNetwork net = Create(3);
            using var stream = new MemoryStream();
            Save(net, stream);
            byte[] bytes = stream.ToArray();
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0UL, headerLength % 8);
            string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
            Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"},\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[3,2,3,3],\"data_offsets\":[0,216]},\"conv1.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[216,228]},\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[4,27],\"data_offsets\":[228,660]},\"fc1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[660,676]}}", header);
            Assert.Equal(8 + (int)headerLength + (4 * SafetensorsNetworkFixture.ParameterCount), bytes.Length);
            float first = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)headerLength));
            Assert.Equal(net.Parameters[0], first);
        }

        [Theory]
        [InlineData("F32")]
        [InlineData("F16")]
        [InlineData("BF16")]
        public void A_file_written_by_hand_loads_in_any_order_and_widens_half_types(string dtype)
        {
            (byte[] file, float[] values) = ValidFile(dtype);
            ITestNetwork net = Create(4);
            Load(net, new MemoryStream(file));
            Assert.True(net.Parameters.SequenceEqual(values)); // 0.5·i up to 31.5 is exact in F16 and BF16
        }

        public static IEnumerable<object[]> Malformed()
        {
            (byte[] valid, _) = ValidFile();
            string good = Encoding.UTF8.GetString(valid, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(valid));
            byte[] data = valid.AsSpan(8 + Encoding.UTF8.GetByteCount(good)).ToArray();
            string F(string header) => header;

            yield return new object[] { "missing tensor", Build(good.Replace(Entry("fc1.bias", "F32", "[4]", 660, 676) + ",", string.Empty), data.AsSpan(0, 660).ToArray()), "Tensor 'fc1.bias' is missing: expected [4] F32" };
            yield return new object[] { "extra tensor", Build(good.Substring(0, good.Length - 1) + "," + Entry("fc2.weight", "F32", "[1]", 676, 680) + "}", data.Concat(new byte[4]).ToArray()), "Tensor 'fc2.weight' is not a parameter of this network" };
            yield return new object[] { "mis-shaped", Build(good.Replace("[3,2,3,3]", "[3,3,3,2]"), data), "Tensor 'conv1.weight' has shape [3, 3, 3, 2], expected [3, 2, 3, 3]." };
            yield return new object[] { "wrong dtype", Build(good.Replace("\"dtype\":\"F32\",\"shape\":[4]", "\"dtype\":\"I32\",\"shape\":[4]"), data), "Tensor 'fc1.bias' has dtype I32; expected F32" };
            yield return new object[] { "F64", Build(good.Replace("\"dtype\":\"F32\",\"shape\":[3]", "\"dtype\":\"F64\",\"shape\":[3]"), data), "Tensor 'conv1.bias' has dtype F64; expected F32" };
            yield return new object[] { "size disagrees with shape", Build(good.Replace("[216,228]", "[216,224]").Replace("[228,660]", "[224,660]"), data), "Tensor 'conv1.bias' has data_offsets [216, 224] (8 bytes), but [3] F32 takes 12 bytes." };
            yield return new object[] { "overlap", Build(F(good.Replace("[228,660]", "[224,656]").Replace("[660,676]", "[656,672]")), data), "Tensor 'fc1.weight' starts at data byte 224, overlapping the tensor before it (which ends at 228)." };
            yield return new object[] { "hole", Build(good.Replace("[228,660]", "[232,664]").Replace("[660,676]", "[664,680]"), data.Concat(new byte[4]).ToArray()), "Tensor 'fc1.weight' starts at data byte 232, leaving a hole at 228..232; the format forbids holes." };
            yield return new object[] { "trailing bytes", valid.Concat(new byte[3]).ToArray(), "The file has 3 bytes after the end of its data" };
            yield return new object[] { "truncated data", valid.AsSpan(0, valid.Length - 1).ToArray(), "The file is truncated at byte" };
            yield return new object[] { "truncated header", valid.AsSpan(0, 20).ToArray(), "The file is truncated at byte 20: the header should be" };
            yield return new object[] { "empty file", Array.Empty<byte>(), "The file is truncated: it has 0 bytes" };
            yield return new object[] { "huge header length", new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, (byte)'{' }, "Byte 0: the header length 72057594037927936 is outside 2..104857600" };
            yield return new object[] { "not JSON", Build("{not json}", data), "is not valid JSON" };
            yield return new object[] { "not an object", Build("[1, 2, 3]   ", data), "Byte 8: the header does not start with '{'" };
            yield return new object[] { "offsets outside the file", Build(good.Replace("[660,676]", "[660,99999]"), data), "Tensor 'fc1.bias' has data_offsets [660, 99999]" };
            yield return new object[] { "negative offset", Build(good.Replace("[0,216]", "[-4,212]"), data), "Tensor 'conv1.weight': data_offsets must be [begin, end] with 0 <= begin <= end." };
            yield return new object[] { "duplicate tensor", Build(good.Substring(0, good.Length - 1) + "," + Entry("fc1.bias", "F32", "[4]", 660, 676) + "}", data), "Tensor 'fc1.bias' appears twice in the header." };
            yield return new object[] { "bad metadata", Build(good.Replace("{\"format\":\"pt\"}", "{\"format\":3}"), data), "__metadata__ must be an object of strings" };
        }

        [Theory]
        [MemberData(nameof(Malformed))]
        public void A_malformed_file_throws_InvalidDataException_naming_the_problem_and_changes_nothing(string what, byte[] file, string message)
        {
            ITestNetwork net = Create(5);
            float[] before = net.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => Load(net, new MemoryStream(file)));
            Assert.Contains(message, e.Message);
            Assert.True(net.Parameters.SequenceEqual(before), what + ": parameters changed");
        }

        [Fact]
        public void A_non_seekable_stream_with_trailing_bytes_is_rejected_too()
        {
            (byte[] valid, _) = ValidFile();
            ITestNetwork net = Create(6);
            float[] before = net.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => Load(net, new ForwardOnlyStream(valid.Concat(new byte[] { 1 }).ToArray())));
            Assert.Contains("bytes after the end of its data", e.Message);
            Assert.True(net.Parameters.SequenceEqual(before));
            Load(net, new ForwardOnlyStream(valid));
        }

        [Fact]
        public void Random_byte_flips_and_truncations_never_crash_and_never_half_load()
        {
            (byte[] valid, float[] values) = ValidFile();
            var random = new Random(2026);
            ITestNetwork net = _fixture.Networks.Create("Small");
            for (int trial = 0; trial < 3000; trial++)
            {
                byte[] file = valid.ToArray();
                if (trial % 3 == 0)
                {
                    file = file.AsSpan(0, random.Next(file.Length)).ToArray();
                }
                else
                {
                    int flips = 1 + random.Next(3);
                    for (int f = 0; f < flips; f++)
                    {
                        // Mostly in the length and header, where structure lives; sometimes in the data.
                        int at = random.Next(10) < 8 ? random.Next(Math.Min(file.Length, 300)) : random.Next(file.Length);
                        file[at] ^= (byte)(1 << random.Next(8));
                    }
                }

                float[] before = Numbers.Random(random, SafetensorsNetworkFixture.ParameterCount);
                net.SetParameters(before);
                try
                {
                    Load(net, new MemoryStream(file));
                    // A flip in the data (or a harmless one in the header) still loads: then it loaded everything,
                    // and every parameter is the file's value or the flipped one; never the old value.
                    int changed = 0;
                    for (int i = 0; i < values.Length; i++)
                    {
                        if (net.Parameters[i] != values[i])
                        {
                            changed++;
                        }
                    }

                    Assert.True(changed <= 3, $"trial {trial}: {changed} parameters differ from the file");
                }
                catch (InvalidDataException)
                {
                    Assert.True(net.Parameters.SequenceEqual(before), $"trial {trial}: a failed load changed parameters");
                }
            }
        }

        private sealed class ForwardOnlyStream : Stream
        {
            private readonly MemoryStream _inner;

            public ForwardOnlyStream(byte[] bytes) => _inner = new MemoryStream(bytes);

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7));

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
