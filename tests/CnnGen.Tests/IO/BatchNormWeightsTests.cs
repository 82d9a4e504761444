using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using CnnGen.IO;
using Xunit;

namespace CnnGen.Tests.IO
{
    /// <summary>
    /// A batch norm's <c>num_batches_tracked</c> (contract 7.4): an I64 scalar that may be absent, is kept when present and
    /// written back (else 0), and is otherwise held to the format as strictly as every other tensor. Files built by hand.
    /// </summary>
    public sealed class BatchNormWeightsTests
    {
        private static readonly TensorSpec[] Specs =
        {
            new("bn1.weight", new[] { 2 }, 0),
            new("bn1.bias", new[] { 2 }, 2),
            TensorSpec.Counter("bn1.num_batches_tracked", 0),
        };

        private static byte[] File(string counterEntry, byte[] counterData)
        {
            var data = new byte[16 + counterData.Length];
            for (int i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), i + 1);
            }

            counterData.CopyTo(data, 16);
            string header = "{\"bn1.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"bn1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}" +
                (counterEntry.Length > 0 ? "," + counterEntry : string.Empty) + "}";
            byte[] json = Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + json.Length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
            json.CopyTo(bytes, 8);
            data.CopyTo(bytes, 8 + json.Length);
            return bytes;
        }

        private static byte[] Long(long value)
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            return bytes;
        }

        [Fact]
        public void A_present_counter_is_read_and_the_floats_with_it()
        {
            float[] values = Safetensors.Read(new MemoryStream(File("\"bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]}", Long(123456789012))), Specs, 4, out long[] counters);
            Assert.Equal(new[] { 1f, 2f, 3f, 4f }, values);
            Assert.Equal(new[] { 123456789012L }, counters);
        }

        [Fact]
        public void An_absent_counter_reads_as_zero()
        {
            float[] values = Safetensors.Read(new MemoryStream(File(string.Empty, Array.Empty<byte>())), Specs, 4, out long[] counters);
            Assert.Equal(new[] { 1f, 2f, 3f, 4f }, values);
            Assert.Equal(new[] { 0L }, counters);
        }

        [Theory]
        [InlineData("F32", "[]", 4, "Tensor 'bn1.num_batches_tracked' is F32 of shape [] (4 bytes); a batch norm's num_batches_tracked is an I64 scalar (shape [], 8 bytes), as PyTorch writes it.")]
        [InlineData("I64", "[1]", 8, "Tensor 'bn1.num_batches_tracked' is I64 of shape [1] (8 bytes); a batch norm's num_batches_tracked is an I64 scalar (shape [], 8 bytes), as PyTorch writes it.")]
        public void A_counter_of_another_dtype_or_shape_is_rejected_naming_it(string dtype, string shape, int bytes, string message)
        {
            byte[] file = File("\"bn1.num_batches_tracked\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[16," + (16 + bytes) + "]}", new byte[bytes]);
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(file), Specs, 4, out _));
            Assert.Equal(message, e.Message);
        }

        [Fact]
        public void An_I64_where_a_float_tensor_belongs_is_rejected_naming_it()
        {
            var specs = new[] { new TensorSpec("bn1.weight", new[] { 2 }, 0), new TensorSpec("bn1.bias", new[] { 2 }, 2), new TensorSpec("bn1.num_batches_tracked", Array.Empty<int>(), 4) };
            byte[] file = File("\"bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]}", Long(7));
            InvalidDataException e = Assert.Throws<InvalidDataException>(() => Safetensors.Read(new MemoryStream(file), specs, 5));
            Assert.Equal("Tensor 'bn1.num_batches_tracked' has dtype I64; expected F32 (F16 and BF16 are widened to float).", e.Message);
        }

        [Fact]
        public void Write_puts_each_counter_as_an_I64_scalar_after_the_floats_of_its_layer()
        {
            var stream = new MemoryStream();
            Safetensors.Write(stream, Specs, new[] { 1f, 2f, 3f, 4f }, new[] { 42L });
            byte[] file = stream.ToArray();
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, length));
            JsonElement counter = header.RootElement.GetProperty("bn1.num_batches_tracked");
            Assert.Equal("I64", counter.GetProperty("dtype").GetString());
            Assert.Equal(0, counter.GetProperty("shape").GetArrayLength());
            Assert.Equal(new[] { 16, 24 }, counter.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(42L, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8 + length + 16)));
            Assert.Equal(new[] { 42L }, (Safetensors.Read(new MemoryStream(file), Specs, 4, out long[] back), back).back);
        }
    }
}
